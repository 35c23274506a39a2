package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.util.List;

/** {@link PrecisionConversion}'s int8 step: the {@link Int8Quantizer} with the bundle writer's options. */
final class Int8Conversion {
  private static final String PLAIN_INT8 = "int8 ";

  private Int8Conversion() {}

  static PrecisionConversion.Result convert(ModelProto model, PrecisionOptions options, String modelName) {
    Int8Options int8 = Int8Options.defaults()
        .withGranularity(options.perTensor() ? WeightGranularity.PER_TENSOR : WeightGranularity.PER_CHANNEL);
    QuantizedModel quantized = Int8Quantizer.quantize(model, int8);
    // The CLI prints the summary and every decision that differs from "int8, whole": a 24-layer model has ~150
    // plain int8 lines, which would bury the few that matter.
    List<String> decisions = quantized.report().stream()
        .filter(line -> !line.startsWith(PLAIN_INT8) || line.contains("float32"))
        .toList();
    return new PrecisionConversion.Result(quantized.model(), quantized.summary(), decisions);
  }
}
