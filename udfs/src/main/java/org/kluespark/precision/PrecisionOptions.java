package org.kluespark.precision;

import org.kluespark.model.Precision;

/**
 * What a bundle is written in.
 *
 * @param precision fp32 (as converted), fp16 (computes in half, for GPUs) or int8 (dynamic int8, for CPUs)
 * @param perTensor int8 only: one weight scale per matrix instead of one per output channel
 */
public record PrecisionOptions(Precision precision, boolean perTensor) {
  public PrecisionOptions {
    if (perTensor && precision != Precision.INT8) {
      throw new IllegalArgumentException("per-tensor weight scales (--per-tensor) apply to int8 only, not to "
          + precision.paramValue());
    }
  }

  public static PrecisionOptions fp32() {
    return new PrecisionOptions(Precision.FP32, false);
  }

  /** From the CLI's {@code --precision} value, failing with the valid values. */
  public static PrecisionOptions parse(String precision, boolean perTensor) {
    return new PrecisionOptions(Precision.fromParam("--precision", precision), perTensor);
  }
}
