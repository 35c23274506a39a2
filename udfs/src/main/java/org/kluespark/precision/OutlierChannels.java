package org.kluespark.precision;

import org.kluespark.params.ParamEnum;

/**
 * What int8 quantization does with the activation channels {@link ActivationOutlierProbe} finds far above the
 * others (MiniLM's residual-stream channel 99), which would otherwise set the per-call activation scale. Figures:
 * all-MiniLM-L6-v2, all 7,038 KLUE STS + NLI dev sentences, mean cosine / min / STS pair Spearman rho vs float32.
 */
public enum OutlierChannels {
  /** Scaled down by one Mul on the activation, weight rows up by as much: 0.9966 / 0.9866 / 0.9944, no slower. */
  SCALED,
  /** Multiplied in float32 beside the int8 part: 0.9973 / 0.9919 / 0.9953, about 10% slower. */
  FLOAT32,
  /** Not looked for (no probe run): 0.9929 / 0.9768 / 0.9877. */
  OFF;

  public String paramValue() {
    return ParamEnum.valueOf(this);
  }

  /** {@code options} with this choice. */
  public Int8Options applyTo(Int8Options options) {
    return switch (this) {
      case SCALED -> options.withScaleOutlierChannels(true);
      case FLOAT32 -> options.withScaleOutlierChannels(false);
      case OFF -> options.withActivationOutlierRatio(0);
    };
  }

  /** From a CLI value, failing with the valid values and naming {@code option}. */
  public static OutlierChannels fromParam(String option, String value) {
    return ParamEnum.parse(OutlierChannels.class, option, value);
  }
}
