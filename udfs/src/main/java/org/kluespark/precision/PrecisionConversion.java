package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.util.List;
import java.util.Map;
import org.kluespark.model.GraphPrecision;
import org.kluespark.model.Precision;

/**
 * Turns a float32 graph into the precision a bundle is written in: the one entry point for {@code kluespark
 * convert --precision} and {@code kluespark quantize}.
 */
public final class PrecisionConversion {
  /**
   * @param parameters how it was made, for the bundle's {@code kluespark.json}
   * @param summary lines for the CLI
   */
  public record Result(ModelProto model, Map<String, String> parameters, List<String> summary) {}

  private PrecisionConversion() {}

  /** {@code model} (float32; weights may be stored as float16) in {@code options.precision()}. */
  public static Result convert(ModelProto model, PrecisionOptions options, String modelName) {
    Precision current = GraphPrecision.of(model);
    if (current != Precision.FP32) {
      throw new IllegalArgumentException(modelName + " is already " + current.paramValue() + "; "
          + options.precision().paramValue() + " bundles are made from a float32 bundle or checkpoint. Start from "
          + "the original float32 model.");
    }
    return switch (options.precision()) {
      case FP32 -> new Result(model, Map.of(), List.of());
      case INT8 -> Int8Conversion.convert(model, options, modelName);
      case FP16 -> Float16Conversion.convert(model, options.residual(), modelName);
    };
  }
}
