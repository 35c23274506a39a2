package org.kluespark.testing.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kluespark.checkpoint.WeightTensor;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderFamily;
import org.kluespark.convert.EncoderWeights;

/** Masked padding must not change the real tokens' states, for BERT and RoBERTa numbering alike. */
class PaddingInvarianceTest {
  private static final EncoderConfig BERT =
      new EncoderConfig(EncoderFamily.BERT, 20, 8, 2, 2, 16, "gelu", 16, 2, 1e-12, 0);
  private static final EncoderConfig ROBERTA =
      new EncoderConfig(EncoderFamily.ROBERTA, 20, 8, 2, 2, 16, "gelu", 18, 1, 1e-5, 1);

  @Test
  void bertPaddingLeavesRealTokensUnchanged() {
    EncoderWeights weights = RandomEncoderWeights.encoderWeights(BERT, 7, true, 0.3);
    ReferenceOutput alone = ReferenceEncoder.forward(weights, new long[][] {{2, 5, 7, 3}},
        new long[][] {{1, 1, 1, 1}}, new long[][] {{0, 0, 1, 1}});
    // Padded in a batch beside a longer row; the padding ids and types are arbitrary (masked anyway).
    ReferenceOutput padded = ReferenceEncoder.forward(weights,
        new long[][] {{2, 9, 9, 9, 4, 3}, {2, 5, 7, 3, 0, 11}},
        new long[][] {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0}},
        new long[][] {{0, 0, 0, 1, 1, 1}, {0, 0, 1, 1, 0, 1}});

    assertSameOnRealTokens(alone, 0, padded, 1, 4);
    assertThat(padded.pooler()[1]).containsExactly(alone.pooler()[0], within(1e-12));
  }

  @Test
  void robertaPaddingLeavesRealTokensUnchanged() {
    EncoderWeights weights = RandomEncoderWeights.encoderWeights(ROBERTA, 11, false, 0.3);
    ReferenceOutput alone = ReferenceEncoder.forward(weights, new long[][] {{0, 5, 7, 2}},
        new long[][] {{1, 1, 1, 1}}, null);
    ReferenceOutput padded = ReferenceEncoder.forward(weights, new long[][] {{0, 5, 7, 2, 1, 1, 1}},
        new long[][] {{1, 1, 1, 1, 0, 0, 0}}, null);

    assertSameOnRealTokens(alone, 0, padded, 0, 4);
    assertThat(padded.pooler()).isNull();
  }

  @Test
  void unmaskedPaddingWouldChangeTheResult() {
    // Guards the invariance tests above: the extra tokens do matter when the mask lets them through.
    EncoderWeights weights = RandomEncoderWeights.encoderWeights(BERT, 7, true, 0.3);
    ReferenceOutput alone = ReferenceEncoder.forward(weights, new long[][] {{2, 5, 7, 3}},
        new long[][] {{1, 1, 1, 1}}, null);
    ReferenceOutput visible = ReferenceEncoder.forward(weights, new long[][] {{2, 5, 7, 3, 0, 0}},
        new long[][] {{1, 1, 1, 1, 1, 1}}, null);

    assertThat(Math.abs(visible.lastHiddenState()[0][0][0] - alone.lastHiddenState()[0][0][0]))
        .isGreaterThan(1e-4);
  }

  @Test
  void robertaPositionIdsFollowHfCreatePositionIdsFromInputIds() {
    // mask = id != pad; position = cumsum(mask) * mask + pad, pad = 1
    long[][] ids = {{0, 5, 7, 2, 1, 1}, {1, 1, 0, 5, 2, 1}, {0, 2, 3, 4, 5, 2}};

    assertThat(ReferenceEncoder.positionIds(ROBERTA, ids))
        .isDeepEqualTo(new long[][] {{2, 3, 4, 5, 1, 1}, {1, 1, 2, 3, 4, 1}, {2, 3, 4, 5, 6, 7}});
    assertThat(ReferenceEncoder.positionIds(BERT, new long[][] {{2, 5, 0, 0}}))
        .isDeepEqualTo(new long[][] {{0, 1, 2, 3}});
  }

  @Test
  void robertaEmbeddingsUsePositionsFromPadPlusOneAndTypeZero() {
    Map<String, WeightTensor> tensors = RandomEncoderWeights.create(ROBERTA, 3, false, 0.3);
    EncoderWeights weights = EncoderWeights.of(ROBERTA, tensors, "random");
    ReferenceOutput out = ReferenceEncoder.forward(weights, new long[][] {{0, 5, 1}}, new long[][] {{1, 1, 0}},
        null);

    long[] positions = {2, 3, 1}; // padding keeps pad_token_id
    long[] ids = {0, 5, 1};
    for (int t = 0; t < 3; t++) {
      double[] sum = new double[8];
      for (int i = 0; i < 8; i++) {
        sum[i] = (double) value(tensors, "embeddings.word_embeddings.weight", ids[t], i)
            + value(tensors, "embeddings.position_embeddings.weight", positions[t], i)
            + value(tensors, "embeddings.token_type_embeddings.weight", 0, i);
      }
      double[] expected = ReferenceMath.layerNorm(sum, tensors.get("embeddings.LayerNorm.weight"),
          tensors.get("embeddings.LayerNorm.bias"), 1e-5);
      assertThat(out.hiddenStates().get(0)[0][t]).containsExactly(expected, within(1e-12));
    }
  }

  @Test
  void randomWeightsAreSeededAndShapedForTheConfig() {
    Map<String, WeightTensor> first = RandomEncoderWeights.create(BERT, 42, true, 0.02);
    Map<String, WeightTensor> again = RandomEncoderWeights.create(BERT, 42, true, 0.02);
    Map<String, WeightTensor> other = RandomEncoderWeights.create(BERT, 43, true, 0.02);

    assertThat(first).isEqualTo(again).isNotEqualTo(other);
    assertThat(first.keySet()).containsExactlyElementsOf(EncoderWeights.expectedShapes(BERT, true).keySet());
    for (float v : first.get("encoder.layer.1.output.LayerNorm.weight").values()) {
      assertThat(v).isCloseTo(1.0f, within(0.2f));
    }
    for (float v : first.get("encoder.layer.1.output.dense.bias").values()) {
      assertThat(v).isCloseTo(0.0f, within(0.2f)).isNotEqualTo(0.0f);
    }
    assertThat(EncoderWeights.of(BERT, first, "random").hasPooler()).isTrue();
  }

  private static float value(Map<String, WeightTensor> tensors, String name, long row, int column) {
    WeightTensor table = tensors.get(name);
    return table.values()[(int) (row * table.dim(1) + column)];
  }

  private static void assertSameOnRealTokens(ReferenceOutput expected, int expectedRow, ReferenceOutput actual,
      int actualRow, int realTokens) {
    assertThat(actual.hiddenStates()).hasSameSizeAs(expected.hiddenStates());
    for (int state = 0; state < expected.hiddenStates().size(); state++) {
      for (int t = 0; t < realTokens; t++) {
        assertThat(actual.hiddenStates().get(state)[actualRow][t])
            .as("hidden state %d, token %d", state, t)
            .containsExactly(expected.hiddenStates().get(state)[expectedRow][t], within(1e-12));
      }
    }
    for (int t = 0; t < realTokens; t++) {
      assertThat(actual.lastHiddenState()[actualRow][t])
          .containsExactly(expected.lastHiddenState()[expectedRow][t], within(1e-12));
    }
  }
}
