package org.kluespark.precision;

import org.kluespark.model.Precision;

/**
 * What a bundle is written in.
 *
 * @param precision fp32 (as converted), fp16 (computes in half, for GPUs) or int8 (dynamic int8, for CPUs)
 * @param perTensor int8 only: one weight scale per matrix instead of one per output channel
 * @param residual fp16 only: what the residual stream is kept in (float32 unless asked)
 */
public record PrecisionOptions(Precision precision, boolean perTensor, ResidualPrecision residual) {
  public PrecisionOptions {
    if (perTensor && precision != Precision.INT8) {
      throw new IllegalArgumentException("per-tensor weight scales (--per-tensor) apply to int8 only, not to "
          + precision.paramValue());
    }
    if (residual != ResidualPrecision.FLOAT32 && precision != Precision.FP16) {
      throw new IllegalArgumentException("a float16 residual stream (--fp16-residual float16) applies to fp16 only, "
          + "not to " + precision.paramValue());
    }
  }

  /** Float32 residual stream (the fp16 default). */
  public PrecisionOptions(Precision precision, boolean perTensor) {
    this(precision, perTensor, ResidualPrecision.FLOAT32);
  }

  public static PrecisionOptions fp32() {
    return new PrecisionOptions(Precision.FP32, false);
  }

  /** From the CLI's {@code --precision} value, failing with the valid values. */
  public static PrecisionOptions parse(String precision, boolean perTensor) {
    return new PrecisionOptions(Precision.fromParam("--precision", precision), perTensor);
  }

  /** As {@link #parse(String, boolean)}, with the CLI's {@code --fp16-residual} value. */
  public static PrecisionOptions parse(String precision, boolean perTensor, String residual) {
    return new PrecisionOptions(Precision.fromParam("--precision", precision), perTensor,
        ResidualPrecision.fromParam("--fp16-residual", residual));
  }
}
