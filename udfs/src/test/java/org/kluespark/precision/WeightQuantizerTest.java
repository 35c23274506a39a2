package org.kluespark.precision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class WeightQuantizerTest {
  // [K=2, N=2] row-major: column 0 = (0.9, 0.25), column 1 = (-0.5, 2.0)
  private static final float[] W = {0.9f, -0.5f, 0.25f, 2.0f};

  @Test
  void perChannelScalesEachOutputColumnByItsOwnMaximum() {
    WeightQuantizer.Int8Weights q = WeightQuantizer.quantize(W, 2, 2, WeightGranularity.PER_CHANNEL, 127);
    assertThat(q.scales()).containsExactly(0.9f / 127, 2.0f / 127);
    // 0.25 / (0.9/127) = 35.28 -> 35; -0.5 / (2/127) = -31.75 -> -32
    assertThat(q.values()).containsExactly(127, -32, 35, 127);
  }

  @Test
  void perTensorUsesOneScaleForTheWholeMatrix() {
    WeightQuantizer.Int8Weights q = WeightQuantizer.quantize(W, 2, 2, WeightGranularity.PER_TENSOR, 127);
    assertThat(q.scales()).containsExactly(2.0f / 127);
    // 0.9 * 63.5 = 57.15 -> 57; 0.25 * 63.5 = 15.875 -> 16
    assertThat(q.values()).containsExactly(57, -32, 16, 127);
  }

  @Test
  void reducedRangeUsesSevenBits() {
    WeightQuantizer.Int8Weights q = WeightQuantizer.quantize(W, 2, 2, WeightGranularity.PER_CHANNEL, 64);
    assertThat(q.scales()).containsExactly(0.9f / 64, 2.0f / 64);
    assertThat(q.values()).containsExactly(64, -16, 18, 64);
  }

  @Test
  void anAllZeroChannelGetsScaleOneAndZeros() {
    WeightQuantizer.Int8Weights q = WeightQuantizer.quantize(new float[] {0f, 1f, 0f, -1f}, 2, 2,
        WeightGranularity.PER_CHANNEL, 127);
    assertThat(q.scales()).containsExactly(1f, 1f / 127);
    assertThat(q.values()).containsExactly(0, 127, 0, -127);
  }

  @Test
  void outlierRowRatioIsTheLargestRowNormOverTheRmsRowNorm() {
    // row norms 5 and 0: rms = sqrt(25 / 2), ratio = sqrt(2)
    assertThat(WeightQuantizer.outlierRowRatio(new float[] {3f, 4f, 0f, 0f}, 2, 2)).isCloseTo(Math.sqrt(2), within(1e-9));
    assertThat(WeightQuantizer.outlierRowRatio(new float[] {1f, 1f, 1f, 1f}, 2, 2)).isCloseTo(1.0, within(1e-9));
  }
}
