package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.util.List;
import java.util.Map;

/** Adapter from {@link PrecisionConversion} to {@link Float16Converter}. */
final class Float16Conversion {
  private Float16Conversion() {}

  static PrecisionConversion.Result convert(ModelProto model, ResidualPrecision residual, String modelName) {
    Float16Converter.Result result = Float16Converter.convert(model, modelName, residual);
    Map<String, String> s = result.summary();
    String float32 = s.get("float32_ops").isEmpty() ? "nothing (every sensitive op fused)" : s.get("float32_ops")
        + " (the residual stream's layer norms unless it is float16, and what ONNX Runtime did not fuse of the "
        + "attention mask, Softmax and reductions)";
    List<String> lines = List.of(
        "fp16: fused in float32 first (" + s.get("graph_fusion") + "): " + s.get("fused_ops") + ", taking float16",
        "fp16: weights and activations in float16; kept float32: " + float32,
        "fp16: residual stream in " + s.get("residual_stream"),
        "fp16: " + s.get("float16_nodes") + " half nodes, " + s.get("casts_added") + " casts added, "
            + s.get("float16_initializers") + " float16 / " + s.get("float32_initializers") + " float32 initializers, "
            + s.get("values_clamped_to_65504") + " constant values clamped to ±65504, "
            + s.get("tiny_values_raised_to_2^-24") + " below half's smallest subnormal raised to ±2^-24 (as ONNX "
            + "Runtime's converter does)");
    return new PrecisionConversion.Result(result.model(), s, lines);
  }
}
