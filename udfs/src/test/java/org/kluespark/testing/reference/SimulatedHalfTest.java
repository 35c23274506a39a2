package org.kluespark.testing.reference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderFamily;
import org.kluespark.convert.EncoderWeights;

/**
 * The reference's simulated-half mode rounds what the unfused fp16 graph rounds (node by node), and nothing in its
 * float32 islands.
 */
class SimulatedHalfTest {
  private static final EncoderConfig BERT =
      new EncoderConfig(EncoderFamily.BERT, 20, 8, 2, 2, 16, "gelu", 16, 2, 1e-12, 0);

  @Test
  void roundsToTheNearestHalf() {
    assertThat(ReferenceEncoder.toHalf(1.0 / 3)).isEqualTo(0.333251953125);
    assertThat(ReferenceEncoder.toHalf(65504)).isEqualTo(65504);
    assertThat(ReferenceEncoder.toHalf(1e-9)).isZero();
  }

  @Test
  void halfWeightsRoundEverythingButLayerNorm() {
    EncoderWeights weights = RandomEncoderWeights.encoderWeights(BERT, 7, true, 0.3);
    EncoderWeights half = ReferenceEncoder.halfWeights(weights);
    float query = weights.layer(0, "attention.self.query.weight").values()[0];
    assertThat(half.layer(0, "attention.self.query.weight").values()[0]).isEqualTo((float) ReferenceEncoder.toHalf(query))
        .isNotEqualTo(query);
    assertThat(half.layer(1, "output.LayerNorm.weight").values())
        .containsExactly(weights.layer(1, "output.LayerNorm.weight").values());
  }

  @Test
  void differsFromFloat64ByHalfRoundingOnlyAndKeepsPaddingMasked() {
    EncoderWeights weights = RandomEncoderWeights.encoderWeights(BERT, 7, true, 0.3);
    long[][] ids = {{2, 9, 9, 9, 4, 3}, {2, 5, 7, 3, 0, 11}};
    long[][] mask = {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0}};
    ReferenceOutput exact = ReferenceEncoder.forward(weights, ids, mask, null);
    ReferenceOutput half = ReferenceEncoder.forwardSimulatedHalf(weights, ids, mask, null);
    double diff = 0;
    for (int t = 0; t < 6; t++) {
      for (int h = 0; h < 8; h++) {
        diff = Math.max(diff, Math.abs(half.lastHiddenState()[0][t][h] - exact.lastHiddenState()[0][t][h]));
      }
    }
    assertThat(diff).isGreaterThan(1e-4).isLessThan(2e-2);

    ReferenceOutput alone = ReferenceEncoder.forwardSimulatedHalf(weights, new long[][] {{2, 5, 7, 3}},
        new long[][] {{1, 1, 1, 1}}, null);
    for (int t = 0; t < 4; t++) {
      assertThat(half.lastHiddenState()[1][t]).containsExactly(alone.lastHiddenState()[0][t]);
    }
    assertThat(half.pooler()[1]).containsExactly(alone.pooler()[0]);
  }
}
