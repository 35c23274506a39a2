package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.kluespark.checkpoint.HalfFloats;

/**
 * Reads the values of float32 and float16 tensors however ONNX stores them (raw bytes, {@code float_data},
 * {@code int32_data} for half, or external data beside the model), and writes half tensors with values
 * clamped into half's finite range as ONNX Runtime's float16 converter does.
 */
final class FloatTensorData {
  /** Largest finite float16. */
  static final float HALF_MAX = 65504f;
  /** Smallest positive float16 (subnormal, 2^-24); smaller non-zero magnitudes are raised to it. */
  static final float HALF_MIN_POSITIVE = 0x1p-24f;
  /** External data is read in pieces, so a tensor over 2 GB never sits in one Java array. */
  private static final int CHUNK_BYTES = 1 << 26;

  private FloatTensorData() {}

  /** Feeds the float32 values of {@code tensor} to {@code sink} in order, in one or more buffers. */
  static void readFloats(TensorProto tensor, Path modelDir, Consumer<FloatBuffer> sink) {
    if (tensor.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
      throw new IllegalArgumentException(tensor.getName() + " is not a float32 tensor");
    }
    if (OnnxTensors.isExternal(tensor)) {
      readExternal(tensor, modelDir, bytes -> sink.accept(bytes.asFloatBuffer()));
    } else if (!tensor.getRawData().isEmpty()) {
      sink.accept(tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer());
    } else {
      float[] values = new float[tensor.getFloatDataCount()];
      for (int i = 0; i < values.length; i++) {
        values[i] = tensor.getFloatData(i);
      }
      sink.accept(FloatBuffer.wrap(values));
    }
  }

  /** The float32 values of a float16 tensor (exact). */
  static float[] halfValues(TensorProto tensor, Path modelDir) {
    int count = Math.toIntExact(OnnxTensors.elementCount(tensor));
    float[] values = new float[count];
    if (OnnxTensors.isExternal(tensor)) {
      int[] next = {0};
      readExternal(tensor, modelDir, bytes -> {
        while (bytes.remaining() >= 2) {
          values[next[0]++] = HalfFloats.halfToFloat(bytes.getShort() & 0xffff);
        }
      });
    } else if (!tensor.getRawData().isEmpty()) {
      ByteBuffer bytes = tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < count; i++) {
        values[i] = HalfFloats.halfToFloat(bytes.getShort() & 0xffff);
      }
    } else {
      for (int i = 0; i < count; i++) {
        values[i] = HalfFloats.halfToFloat(tensor.getInt32Data(i)); // ONNX keeps half bit patterns in int32_data
      }
    }
    return values;
  }

  /** A float32 tensor named {@code name} holding {@code values}, inline. */
  static TensorProto floatTensor(String name, Iterable<Long> dims, float[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(Math.multiplyExact(values.length, Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE).addAllDims(dims)
        .setRawData(ByteString.copyFrom(bytes.array())).build();
  }

  /** {@code tensor} (float32) inline, its external data read in. */
  static TensorProto inlineFloat(TensorProto tensor, Path modelDir) {
    if (!OnnxTensors.isExternal(tensor)) {
      return tensor;
    }
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(Math.multiplyExact(OnnxTensors.elementCount(tensor), Float.BYTES)))
        .order(ByteOrder.LITTLE_ENDIAN);
    readFloats(tensor, modelDir, floats -> {
      while (floats.hasRemaining()) {
        out.putFloat(floats.get());
      }
    });
    return tensor.toBuilder().clearExternalData().clearDataLocation().setRawData(ByteString.copyFrom(out.array()))
        .build();
  }

  /**
   * {@code tensor} (float32) as an inline float16 tensor of the same name. Finite values beyond ±65504 become
   * ±65504 and non-zero magnitudes below 2^-24 become ±2^-24, so no value changes sign or finiteness.
   *
   * @param clamped {@code [0]} counts finite values clamped to ±65504, {@code [1]} tiny ones raised to ±2^-24
   */
  static TensorProto toHalf(TensorProto tensor, Path modelDir, long[] clamped) {
    long bytes = Math.multiplyExact(OnnxTensors.elementCount(tensor), 2);
    if (bytes > Integer.MAX_VALUE) {
      throw new Float16ConversionException(tensor.getName() + " has " + OnnxTensors.elementCount(tensor)
          + " elements; a float16 copy over 2 GB cannot be held in one ONNX tensor");
    }
    ByteBuffer out = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    readFloats(tensor, modelDir, floats -> {
      while (floats.hasRemaining()) {
        float value = floats.get();
        float kept = clampToHalf(value);
        if (Float.compare(kept, value) != 0) {
          clamped[Math.abs(kept) == HALF_MAX ? 0 : 1]++;
        }
        out.putShort(HalfFloats.floatToHalf(kept));
      }
    });
    return tensor.toBuilder().clearFloatData().clearExternalData().clearDataLocation()
        .setDataType(TensorProto.DataType.FLOAT16_VALUE).setRawData(ByteString.copyFrom(out.array())).build();
  }

  static float clampToHalf(float value) {
    if (Float.isNaN(value) || Float.isInfinite(value) || value == 0f) {
      return value;
    }
    float magnitude = Math.abs(value);
    if (magnitude > HALF_MAX) {
      return Math.copySign(HALF_MAX, value);
    }
    if (magnitude < HALF_MIN_POSITIVE) {
      return Math.copySign(HALF_MIN_POSITIVE, value);
    }
    return value;
  }

  /** Streams the bytes of an external tensor: {@code location}, {@code offset}, {@code length} beside the model. */
  private static void readExternal(TensorProto tensor, Path modelDir, Consumer<ByteBuffer> sink) {
    OnnxTensors.ExternalRef ref = OnnxTensors.externalRef(tensor);
    String location = ref.location();
    long offset = ref.offset();
    long length = ref.length();
    if (modelDir == null || location == null) {
      throw new Float16ConversionException("Tensor " + tensor.getName() + " keeps its values in ONNX external data ("
          + location + "), but no model directory was given to read it from. Convert the model file itself "
          + "(Float16Converter.convert(Path)), so its data file beside it can be read.");
    }
    Path file = modelDir.resolve(location).normalize();
    if (!file.startsWith(modelDir.normalize())) {
      throw new Float16ConversionException("Tensor " + tensor.getName() + " points outside the model directory: " + location);
    }
    int elementBytes = tensor.getDataType() == TensorProto.DataType.FLOAT16_VALUE ? 2 : Float.BYTES;
    long expected = Math.multiplyExact(OnnxTensors.elementCount(tensor), elementBytes);
    if (length >= 0 && length != expected) {
      throw new Float16ConversionException(file + ": tensor " + tensor.getName() + " has length " + length + " but its shape "
          + "needs " + expected + " bytes");
    }
    try (FileChannel channel = FileChannel.open(file)) {
      if (offset + expected > channel.size()) {
        throw new Float16ConversionException(file + " is too short for tensor " + tensor.getName() + " (needs bytes "
            + offset + ".." + (offset + expected) + ", the file has " + channel.size() + ")");
      }
      long position = offset;
      long end = offset + expected;
      ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, Math.max(expected, 4)))
          .order(ByteOrder.LITTLE_ENDIAN);
      while (position < end) {
        chunk.clear();
        chunk.limit((int) Math.min(chunk.capacity(), end - position));
        while (chunk.hasRemaining()) {
          int read = channel.read(chunk, position + chunk.position());
          if (read < 0) {
            throw new Float16ConversionException(file + " ended early reading tensor " + tensor.getName());
          }
        }
        position += chunk.limit();
        chunk.flip();
        sink.accept(chunk);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + " (external data of " + tensor.getName() + "): "
          + e.getMessage(), e);
    }
  }
}
