package org.kluespark.precision;

import org.kluespark.params.ParamEnum;

/**
 * What an fp16 graph keeps its residual stream in: the sums around each block and the layer norms that read them,
 * whose outputs are the next block's input and residual in a post-LN encoder (BERT, RoBERTa, ELECTRA).
 *
 * <p>{@link #FLOAT32}, the default: those layer norms compute and write float32, and each block reads a half copy
 * of their output. The stream is rounded to half nowhere, so the error does not build up across layers:
 * synthetic klue-bert-base vs float64 (Float16ParityTest) meets 1e-2 through ONNX Runtime on the CPU. On a GPU it
 * costs two casts per layer norm and float32 traffic for them, elementwise work next to the half GEMMs.
 * {@link #FLOAT16}: everything in half, as ONNX Runtime's own recipe writes it ({@code
 * convert_float_to_float16(keep_io_types=True)} after its BERT fusions): fewer kernels on a GPU, but each layer
 * rounds the stream twice. Megatron-LM's {@code --fp32-residual-connection} is the same choice in training.
 */
public enum ResidualPrecision {
  FLOAT32,
  FLOAT16;

  public String paramValue() {
    return ParamEnum.valueOf(this);
  }

  /** From a CLI value, failing with the valid values and naming {@code option}. */
  public static ResidualPrecision fromParam(String option, String value) {
    return ParamEnum.parse(ResidualPrecision.class, option, value);
  }
}
