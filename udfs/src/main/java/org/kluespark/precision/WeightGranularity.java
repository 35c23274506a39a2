package org.kluespark.precision;

import java.util.Arrays;
import java.util.Locale;

/** How many int8 scales a weight matrix gets. */
public enum WeightGranularity {
  /** One scale per output column (per output channel): the default, much closer to float32. */
  PER_CHANNEL,
  /** One scale for the whole matrix. */
  PER_TENSOR;

  /** The manifest / CLI spelling: {@code per-channel}, {@code per-tensor}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static WeightGranularity fromLabel(String label) {
    for (WeightGranularity value : values()) {
      if (value.label().equalsIgnoreCase(label)) {
        return value;
      }
    }
    throw new IllegalArgumentException("Invalid weight granularity '" + label + "', expected one of "
        + Arrays.stream(values()).map(WeightGranularity::label).toList());
  }
}
