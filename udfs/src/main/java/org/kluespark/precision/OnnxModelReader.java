package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads {@code model.onnx} with every external-data tensor ({@code model.onnx.data}, as
 * {@link org.kluespark.convert.OnnxModelFiles} writes it) loaded inline, so the graph can be rewritten as one
 * protobuf. An int8 model is about 4x smaller than its float32 source, so it usually fits inline again
 * ({@code OnnxModelFiles.write} moves it out again when it does not).
 */
public final class OnnxModelReader {
  private OnnxModelReader() {}

  public static ModelProto read(Path modelFile) throws IOException {
    ModelProto model;
    try (InputStream in = Files.newInputStream(modelFile)) {
      model = ModelProto.parseFrom(in);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new QuantizationException(modelFile + " is not an ONNX model: " + e.getMessage(), e);
    }
    if (model.getGraph().getInitializerList().stream().noneMatch(OnnxTensors::isExternal)) {
      return model;
    }
    ModelProto.Builder builder = model.toBuilder();
    Path dir = modelFile.toAbsolutePath().getParent();
    for (TensorProto.Builder tensor : builder.getGraphBuilder().getInitializerBuilderList()) {
      if (!OnnxTensors.isExternal(tensor)) {
        continue;
      }
      OnnxTensors.ExternalRef ref = OnnxTensors.externalRef(tensor);
      String location = ref.location();
      long offset = ref.offset();
      long length = ref.length();
      if (location == null) {
        throw new QuantizationException(modelFile + ": tensor " + tensor.getName() + " is external but names no location");
      }
      Path data = dir.resolve(location).normalize();
      if (!data.startsWith(dir)) {
        throw new QuantizationException(modelFile + ": tensor " + tensor.getName() + " points outside the bundle ("
            + location + ")");
      }
      try (FileChannel channel = FileChannel.open(data, StandardOpenOption.READ)) {
        long size = length >= 0 ? length : channel.size() - offset;
        if (offset + size > channel.size()) {
          throw new QuantizationException(data + " is shorter (" + channel.size() + " bytes) than tensor "
              + tensor.getName() + " needs (" + (offset + size) + "); the bundle is incomplete.");
        }
        ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(size));
        while (bytes.hasRemaining()) {
          if (channel.read(bytes, offset + bytes.position()) < 0) {
            throw new IOException("Unexpected end of " + data);
          }
        }
        bytes.flip();
        tensor.clearExternalData().clearDataLocation()
            .setRawData(ByteString.copyFrom(bytes));
      }
    }
    return builder.build();
  }
}
