package org.kluespark.job;

import org.kluespark.precision.PrecisionOptions;
import picocli.CommandLine.Option;

/**
 * The options of the commands that write int8 or fp16 bundles ({@code convert}, {@code quantize}) beside their
 * own {@code --precision}, whose default differs.
 */
final class PrecisionFlags {
  @Option(names = "--per-tensor", description = "int8: one weight scale per matrix instead of one per output "
      + "channel (less accurate; for runtimes that need it).")
  boolean perTensor;

  @Option(names = "--outlier-channels", paramLabel = "scaled|float32|off", defaultValue = "scaled",
      description = "int8: what to do with the activation channels that run far above the others (found by one "
          + "float32 run on random tokens). scaled: scaled down, their weight rows up (as fast as off); float32: "
          + "multiplied in float32 beside the int8 part (a little closer to float32, about 10% slower); off: not "
          + "looked for. Default: ${DEFAULT-VALUE}.")
  String outlierChannels;

  @Option(names = "--fp16-residual", paramLabel = "float32|float16", defaultValue = "float32", description = "fp16: "
      + "what the residual stream (the sums around each block and their layer norms) is kept in. float32 keeps "
      + "the error within 1e-2 of float64; float16 is ONNX Runtime's all-half recipe, fewer kernels on a GPU and "
      + "about 2x the error. Default: ${DEFAULT-VALUE}.")
  String residual;

  /** The options for {@code --precision precision}, failing with the valid values or the option that does not apply. */
  PrecisionOptions options(String precision) {
    return PrecisionOptions.parse(precision, perTensor, outlierChannels, residual);
  }
}
