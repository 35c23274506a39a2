package org.kluespark.testing.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.kluespark.checkpoint.WeightTensor;

class ReferenceMathTest {

  @Test
  void layerNormUsesTheBiasedVarianceAndEps() {
    double[] y = ReferenceMath.layerNorm(new double[] {1, 2, 3, 4}, new double[] {1, 1, 1, 1},
        new double[] {0, 0, 0, 0}, 1e-5);
    // mean 2.5, biased variance 1.25: (x - 2.5) / sqrt(1.25 + 1e-5)
    assertThat(y).containsExactly(new double[] {-1.3416354199689269, -0.447211806656309, 0.447211806656309,
        1.3416354199689269}, within(1e-15));

    double[] scaled = ReferenceMath.layerNorm(new double[] {1, 2, 3, 4}, new double[] {2, 2, 2, 2},
        new double[] {0.5, 0.5, 0.5, 0.5}, 1e-5);
    for (int i = 0; i < 4; i++) {
      assertThat(scaled[i]).isCloseTo(2 * y[i] + 0.5, within(1e-15));
    }
  }

  @Test
  void softmaxMatchesTheDefinitionAndIgnoresShifts() {
    assertThat(ReferenceMath.softmax(new double[] {1, 2, 3})).containsExactly(
        new double[] {0.09003057317038046, 0.24472847105479767, 0.6652409557748219}, within(1e-16));
    assertThat(ReferenceMath.softmax(new double[] {1001, 1002, 1003})).containsExactly(
        new double[] {0.09003057317038046, 0.24472847105479767, 0.6652409557748219}, within(1e-15));
  }

  @Test
  void maskedScoresGetExactlyZeroWeight() {
    double[] masked = ReferenceMath.softmax(new double[] {0.5, 2.0 + ReferenceEncoder.MASK_VALUE, -1.0});
    double[] unmasked = ReferenceMath.softmax(new double[] {0.5, -1.0});

    assertThat(masked[1]).isEqualTo(0.0);
    assertThat(masked[0]).isEqualTo(unmasked[0]);
    assertThat(masked[2]).isEqualTo(unmasked[1]);
  }

  @Test
  void geluIsTheExactErfForm() {
    // 0.5 x (1 + erf(x / sqrt 2)), i.e. x * Phi(x)
    assertThat(ReferenceMath.gelu(1.0)).isCloseTo(0.8413447460685429, within(1e-15));
    assertThat(ReferenceMath.gelu(-1.0)).isCloseTo(-0.15865525393145707, within(1e-15));
    assertThat(ReferenceMath.gelu(0.5)).isCloseTo(0.34573123063700656, within(1e-15));
    assertThat(ReferenceMath.gelu(-3.0)).isCloseTo(-0.00404969409489031, within(1e-15));
    assertThat(ReferenceMath.gelu(2.0)).isCloseTo(1.9544997361036416, within(1e-15));
    assertThat(ReferenceMath.gelu(0.0)).isEqualTo(0.0);
  }

  @Test
  void linearReadsTheWeightAsOutByIn() {
    // W is [out=3, in=2]: y = W x + b
    WeightTensor weight = new WeightTensor("w", new long[] {3, 2}, new float[] {1, 2, 3, 4, 5, 6});
    WeightTensor bias = new WeightTensor("b", new long[] {3}, new float[] {0.5f, 0, -1});

    assertThat(ReferenceMath.linear(new double[] {1, -1}, weight, bias)).containsExactly(-0.5, -1.0, -2.0);
  }
}
