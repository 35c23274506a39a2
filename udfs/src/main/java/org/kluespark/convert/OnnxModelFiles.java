package org.kluespark.convert;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes an ONNX model to a bundle directory, moving the weights to ONNX external data
 * ({@code model.onnx.data} beside {@code model.onnx}) when they are too large for one protobuf.
 */
public final class OnnxModelFiles {
  public static final String MODEL_FILE = "model.onnx";
  public static final String EXTERNAL_DATA_FILE = "model.onnx.data";
  /** Offsets are page-aligned so ONNX Runtime can memory-map each tensor. */
  static final int ALIGNMENT = 4096;
  /** As onnx's {@code convert_model_to_external_data(size_threshold=1024)}. */
  static final int MIN_EXTERNAL_TENSOR_BYTES = 1024;

  private OnnxModelFiles() {}

  /** Writes {@code model} under {@code dir}; returns whether external data was used. */
  public static boolean write(ModelProto model, Path dir, long externalDataThresholdBytes) throws IOException {
    Files.createDirectories(dir);
    long weightBytes = 0;
    for (TensorProto tensor : model.getGraph().getInitializerList()) {
      weightBytes += tensor.getRawData().size();
    }
    Path modelFile = dir.resolve(MODEL_FILE);
    Path dataFile = dir.resolve(EXTERNAL_DATA_FILE);
    Files.deleteIfExists(dataFile);
    if (weightBytes <= externalDataThresholdBytes) {
      try (OutputStream out = Files.newOutputStream(modelFile)) {
        model.writeTo(out);
      }
      return false;
    }
    ModelProto.Builder builder = model.toBuilder();
    try (FileChannel data = FileChannel.open(dataFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      long offset = 0;
      for (TensorProto.Builder tensor : builder.getGraphBuilder().getInitializerBuilderList()) {
        if (tensor.getRawData().size() < MIN_EXTERNAL_TENSOR_BYTES) {
          continue; // shape constants stay inline: shape inference must read them while loading
        }
        offset = align(offset);
        ByteBuffer bytes = tensor.getRawData().asReadOnlyByteBuffer();
        long length = bytes.remaining();
        long position = offset;
        while (bytes.hasRemaining()) {
          position += data.write(bytes, position);
        }
        tensor.clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
            .addExternalData(entry("location", EXTERNAL_DATA_FILE))
            .addExternalData(entry("offset", Long.toString(offset)))
            .addExternalData(entry("length", Long.toString(length)));
        offset += length;
      }
    }
    try (OutputStream out = Files.newOutputStream(modelFile)) {
      builder.build().writeTo(out);
    }
    return true;
  }

  private static long align(long offset) {
    long remainder = offset % ALIGNMENT;
    return remainder == 0 ? offset : offset + ALIGNMENT - remainder;
  }

  private static StringStringEntryProto entry(String key, String value) {
    return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }
}
