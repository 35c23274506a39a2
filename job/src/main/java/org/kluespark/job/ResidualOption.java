package org.kluespark.job;

import org.kluespark.precision.ResidualPrecision;
import picocli.CommandLine.Option;

/** {@code --fp16-residual}, shared by the commands that write fp16 bundles ({@code convert}, {@code quantize}). */
final class ResidualOption {
  @Option(names = "--fp16-residual", paramLabel = "float32|float16", defaultValue = "float32", description = "fp16: "
      + "what the residual stream (the sums around each block and their layer norms) is kept in. float32 keeps "
      + "the error within 1e-2 of float64; float16 is ONNX Runtime's all-half recipe, fewer kernels on a GPU and "
      + "about 2x the error. Default: ${DEFAULT-VALUE}.")
  String residual;
}
