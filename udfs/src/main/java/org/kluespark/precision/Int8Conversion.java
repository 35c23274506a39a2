package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.ModelProto;

/** {@link PrecisionConversion}'s int8 step: the {@link Int8Quantizer} with the bundle writer's options. */
final class Int8Conversion {
  private Int8Conversion() {}

  static PrecisionConversion.Result convert(ModelProto model, PrecisionOptions options, String modelName) {
    Int8Options int8 = Int8Options.defaults()
        .withGranularity(options.perTensor() ? WeightGranularity.PER_TENSOR : WeightGranularity.PER_CHANNEL);
    QuantizedModel quantized = Int8Quantizer.quantize(model, int8);
    return new PrecisionConversion.Result(quantized.model(), quantized.summary(), quantized.report());
  }
}
