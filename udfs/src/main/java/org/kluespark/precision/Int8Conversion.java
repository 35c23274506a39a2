package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.ModelProto;

/** Adapter to the int8 quantizer (filled in when it lands). */
final class Int8Conversion {
  private Int8Conversion() {}

  static PrecisionConversion.Result convert(ModelProto model, PrecisionOptions options, String modelName) {
    throw new UnsupportedOperationException("int8 not yet");
  }
}
