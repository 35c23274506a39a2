package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProtoOrBuilder;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.kluespark.checkpoint.HalfFloats;

/** Reads and writes the values of ONNX initializers (raw little-endian data or the typed fields). */
final class OnnxTensors {
  private OnnxTensors() {}

  static boolean isExternal(TensorProtoOrBuilder tensor) {
    return tensor.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
  }

  /** Where an external tensor's bytes are: ONNX's {@code location}, {@code offset} and {@code length} (-1: to the end). */
  record ExternalRef(String location, long offset, long length) {}

  static ExternalRef externalRef(TensorProtoOrBuilder tensor) {
    String location = null;
    long offset = 0;
    long length = -1;
    for (StringStringEntryProto entry : tensor.getExternalDataList()) {
      switch (entry.getKey()) {
        case "location" -> location = entry.getValue();
        case "offset" -> offset = Long.parseLong(entry.getValue());
        case "length" -> length = Long.parseLong(entry.getValue());
        default -> { }
      }
    }
    return new ExternalRef(location, offset, length);
  }

  static long elementCount(TensorProtoOrBuilder tensor) {
    long count = 1;
    for (long dim : tensor.getDimsList()) {
      count = Math.multiplyExact(count, dim);
    }
    return count;
  }

  /** The values of a FLOAT or FLOAT16 tensor as float32. */
  static float[] floats(TensorProto tensor) {
    int count = Math.toIntExact(elementCount(tensor));
    float[] values = new float[count];
    ByteBuffer raw = tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    if (tensor.getDataType() == TensorProto.DataType.FLOAT_VALUE) {
      if (raw.hasRemaining()) {
        raw.asFloatBuffer().get(values);
      } else {
        for (int i = 0; i < count; i++) {
          values[i] = tensor.getFloatData(i);
        }
      }
    } else if (tensor.getDataType() == TensorProto.DataType.FLOAT16_VALUE) {
      for (int i = 0; i < count; i++) {
        // float16 outside raw_data is stored as its bit pattern in int32_data
        values[i] = HalfFloats.halfToFloat(raw.hasRemaining() ? raw.getShort(2 * i) & 0xFFFF : tensor.getInt32Data(i));
      }
    } else {
      throw new IllegalArgumentException("Tensor " + tensor.getName() + " is not float32/float16 (ONNX type "
          + tensor.getDataType() + ")");
    }
    return values;
  }

  static TensorProto floatTensor(String name, long[] dims, float[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    return tensor(name, TensorProto.DataType.FLOAT, dims, bytes.array());
  }

  static TensorProto longTensor(String name, long[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asLongBuffer().put(values);
    return tensor(name, TensorProto.DataType.INT64, new long[] {values.length}, bytes.array());
  }

  static TensorProto int8Tensor(String name, long[] dims, byte[] values) {
    return tensor(name, TensorProto.DataType.INT8, dims, values);
  }

  private static TensorProto tensor(String name, TensorProto.DataType type, long[] dims, byte[] raw) {
    TensorProto.Builder tensor = TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
        .setRawData(ByteString.copyFrom(raw));
    for (long dim : dims) {
      tensor.addDims(dim);
    }
    return tensor.build();
  }
}
