package org.kluespark.precision;

import java.util.Objects;
import org.kluespark.model.Precision;

/**
 * What a bundle is written in.
 *
 * @param precision fp32 (as converted), fp16 (computes in half, for GPUs) or int8 (dynamic int8, for CPUs)
 * @param int8 int8 only: how it quantizes (weight scales per channel or per tensor, outlier channels...)
 * @param residual fp16 only: what the residual stream is kept in (float32 unless asked)
 */
public record PrecisionOptions(Precision precision, Int8Options int8, ResidualPrecision residual) {
  public PrecisionOptions {
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(int8, "int8");
    Objects.requireNonNull(residual, "residual");
    if (precision != Precision.INT8 && int8.granularity() == WeightGranularity.PER_TENSOR) {
      throw new IllegalArgumentException("per-tensor weight scales (--per-tensor) apply to int8 only, not to "
          + precision.paramValue());
    }
    if (precision != Precision.INT8 && !int8.equals(Int8Options.defaults())) {
      throw new IllegalArgumentException("int8 quantization options (--outlier-channels) apply to int8 only, not to "
          + precision.paramValue());
    }
    if (residual != ResidualPrecision.FLOAT32 && precision != Precision.FP16) {
      throw new IllegalArgumentException("a float16 residual stream (--fp16-residual float16) applies to fp16 only, "
          + "not to " + precision.paramValue());
    }
  }

  /** The default int8 options but {@code perTensor}, the float32 residual stream (fp16's default). */
  public PrecisionOptions(Precision precision, boolean perTensor) {
    this(precision, defaultInt8(perTensor), ResidualPrecision.FLOAT32);
  }

  private static Int8Options defaultInt8(boolean perTensor) {
    return Int8Options.defaults()
        .withGranularity(perTensor ? WeightGranularity.PER_TENSOR : WeightGranularity.PER_CHANNEL);
  }

  /** int8: one weight scale per matrix instead of one per output channel. */
  public boolean perTensor() {
    return int8.granularity() == WeightGranularity.PER_TENSOR;
  }

  public static PrecisionOptions fp32() {
    return new PrecisionOptions(Precision.FP32, false);
  }

  /** From the CLI's {@code --precision} value, failing with the valid values. */
  public static PrecisionOptions parse(String precision, boolean perTensor) {
    return new PrecisionOptions(Precision.fromParam("--precision", precision), perTensor);
  }

  /** As {@link #parse(String, boolean)}, with the CLI's {@code --outlier-channels} and {@code --fp16-residual}. */
  public static PrecisionOptions parse(String precision, boolean perTensor, String outlierChannels,
      String residual) {
    Precision parsed = Precision.fromParam("--precision", precision);
    Int8Options int8 = OutlierChannels.fromParam("--outlier-channels", outlierChannels).applyTo(defaultInt8(perTensor));
    return new PrecisionOptions(parsed, int8, ResidualPrecision.fromParam("--fp16-residual", residual));
  }
}
