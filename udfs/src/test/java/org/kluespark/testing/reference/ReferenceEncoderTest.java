package org.kluespark.testing.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kluespark.checkpoint.WeightTensor;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderFamily;
import org.kluespark.convert.EncoderWeights;

/**
 * A 1-layer, hidden=2, 1-head BERT whose output is worked out here scalar by scalar. Every weight is a
 * dyadic fraction, so its float32 copy is exact.
 */
class ReferenceEncoderTest {
  private static final double EPS = 1e-12;
  private static final EncoderConfig TINY =
      new EncoderConfig(EncoderFamily.BERT, 3, 2, 1, 1, 2, "gelu", 3, 2, EPS, 0);

  private static final double[][] WORD = {{0.5, -0.25}, {1.0, 0.5}, {-0.75, 0.25}};
  private static final double[][] POSITION = {{0.125, 0.0}, {0.0, 0.25}, {-0.125, 0.125}};
  private static final double[][] TYPE = {{0.0, 0.0}, {0.375, -0.375}};
  private static final double[] EMB_LN_W = {1.5, 0.5};
  private static final double[] EMB_LN_B = {0.125, -0.25};
  private static final double[][] WQ = {{0.5, -1.0}, {1.0, 0.25}};
  private static final double[] BQ = {0.125, 0.0};
  private static final double[][] WK = {{1.0, 0.5}, {-0.5, 1.0}};
  private static final double[] BK = {0.0, 0.25};
  private static final double[][] WV = {{2.0, 0.0}, {0.0, -1.0}};
  private static final double[] BV = {0.5, 0.5};
  private static final double[][] WO = {{1.0, 1.0}, {0.0, 1.0}};
  private static final double[] BO = {0.0, 0.125};
  private static final double[] ATT_LN_W = {1.0, 2.0};
  private static final double[] ATT_LN_B = {0.0, 0.5};
  private static final double[][] WI = {{1.0, -1.0}, {0.5, 0.5}};
  private static final double[] BI = {0.0, 0.125};
  private static final double[][] WOUT = {{1.0, 0.0}, {1.0, 1.0}};
  private static final double[] BOUT = {0.25, 0.0};
  private static final double[] OUT_LN_W = {0.5, 1.0};
  private static final double[] OUT_LN_B = {0.0, 0.0};
  private static final double[][] WP = {{1.0, 0.5}, {0.0, 1.0}};
  private static final double[] BP = {0.0, -0.125};

  @Test
  void embeddingsOfTheFirstTokenMatchAHandComputedValue() {
    ReferenceOutput out = ReferenceEncoder.forward(tinyWeights(), new long[][] {{1, 2}}, new long[][] {{1, 1}},
        new long[][] {{0, 1}});

    // word[1] + position[0] + type[0] = (1.125, 0.5): mean 0.8125, deviations ±0.3125, std 0.3125, so
    // the normalised vector is (1, -1) up to eps; times (1.5, 0.5) plus (0.125, -0.25) is (1.625, -0.75).
    assertThat(out.hiddenStates().get(0)[0][0]).containsExactly(new double[] {1.625, -0.75}, within(1e-10));
  }

  @Test
  void twoUnmaskedTokensMatchTheScalarDerivation() {
    long[] ids = {1, 2};
    long[] types = {0, 1};
    ReferenceOutput out = ReferenceEncoder.forward(tinyWeights(), new long[][] {ids}, new long[][] {{1, 1}},
        new long[][] {types});

    double[][] embedded = new double[2][];
    double[][] v = new double[2][];
    double[][] q = new double[2][];
    double[][] k = new double[2][];
    for (int t = 0; t < 2; t++) {
      double[] word = WORD[(int) ids[t]];
      double[] type = TYPE[(int) types[t]];
      embedded[t] = layerNorm2(word[0] + POSITION[t][0] + type[0], word[1] + POSITION[t][1] + type[1], EMB_LN_W,
          EMB_LN_B);
      q[t] = affine2(WQ, embedded[t], BQ);
      k[t] = affine2(WK, embedded[t], BK);
      v[t] = affine2(WV, embedded[t], BV);
    }
    double[][] expected = new double[2][];
    for (int i = 0; i < 2; i++) {
      double score0 = (q[i][0] * k[0][0] + q[i][1] * k[0][1]) / Math.sqrt(2);
      double score1 = (q[i][0] * k[1][0] + q[i][1] * k[1][1]) / Math.sqrt(2);
      double p0 = 1.0 / (1.0 + Math.exp(score1 - score0)); // two-way softmax
      double[] context = {p0 * v[0][0] + (1 - p0) * v[1][0], p0 * v[0][1] + (1 - p0) * v[1][1]};
      expected[i] = feedForward(context, embedded[i]);
    }

    assertThat(out.hiddenStates().get(0)[0][0]).containsExactly(embedded[0], within(1e-12));
    assertThat(out.hiddenStates().get(0)[0][1]).containsExactly(embedded[1], within(1e-12));
    assertThat(out.lastHiddenState()[0][0]).containsExactly(expected[0], within(1e-12));
    assertThat(out.lastHiddenState()[0][1]).containsExactly(expected[1], within(1e-12));
    double[] pooled = affine2(WP, expected[0], BP);
    assertThat(out.pooler()[0]).containsExactly(new double[] {Math.tanh(pooled[0]), Math.tanh(pooled[1])},
        within(1e-12));
    assertThat(out.hiddenStates()).hasSize(2);
    assertThat(out.hiddenStates().get(1)).isDeepEqualTo(out.lastHiddenState());
  }

  @Test
  void aMaskedKeyIsIgnoredByEveryQuery() {
    ReferenceOutput out = ReferenceEncoder.forward(tinyWeights(), new long[][] {{1, 2}}, new long[][] {{1, 0}},
        null);

    // Only key 0 is visible, so both tokens' context is exactly v(token 0); type ids default to 0.
    double[] embedded0 = layerNorm2(WORD[1][0] + POSITION[0][0], WORD[1][1] + POSITION[0][1], EMB_LN_W, EMB_LN_B);
    double[] embedded1 = layerNorm2(WORD[2][0] + POSITION[1][0], WORD[2][1] + POSITION[1][1], EMB_LN_W, EMB_LN_B);
    double[] v0 = affine2(WV, embedded0, BV);

    assertThat(out.lastHiddenState()[0][0]).containsExactly(feedForward(v0, embedded0), within(1e-12));
    assertThat(out.lastHiddenState()[0][1]).containsExactly(feedForward(v0, embedded1), within(1e-12));
  }

  @Test
  void nullTokenTypesAreZerosAndNoPoolerGivesNull() {
    Map<String, WeightTensor> tensors = tinyTensors();
    tensors.remove("pooler.dense.weight");
    tensors.remove("pooler.dense.bias");
    EncoderWeights withoutPooler = EncoderWeights.of(TINY, tensors, "tiny");

    ReferenceOutput implicit = ReferenceEncoder.forward(withoutPooler, new long[][] {{1, 2, 0}},
        new long[][] {{1, 1, 1}}, null);
    ReferenceOutput explicit = ReferenceEncoder.forward(withoutPooler, new long[][] {{1, 2, 0}},
        new long[][] {{1, 1, 1}}, new long[][] {{0, 0, 0}});

    assertThat(implicit.pooler()).isNull();
    assertThat(implicit.lastHiddenState()).isDeepEqualTo(explicit.lastHiddenState());
  }

  @Test
  void raggedOrOutOfRangeInputsAreRefused() {
    EncoderWeights weights = tinyWeights();

    assertThatThrownBy(() -> ReferenceEncoder.forward(weights, new long[][] {{1, 2}, {1}},
        new long[][] {{1, 1}, {1}}, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Row 1 is not padded to length 2; pad every row of inputIds, attentionMask and tokenTypeIds "
            + "to one length");
    assertThatThrownBy(() -> ReferenceEncoder.forward(weights, new long[][] {{1, 3}}, new long[][] {{1, 1}}, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Index 3 is outside embeddings.word_embeddings.weight (3 rows)");
  }

  /** LayerNorm of a 2-vector: the deviations from the mean are ±d with d = (a-b)/2, the variance d². */
  private static double[] layerNorm2(double a, double b, double[] gamma, double[] beta) {
    double d = (a - b) / 2;
    double normalised = d / Math.sqrt(d * d + EPS);
    return new double[] {normalised * gamma[0] + beta[0], -normalised * gamma[1] + beta[1]};
  }

  private static double[] affine2(double[][] w, double[] x, double[] b) {
    return new double[] {w[0][0] * x[0] + w[0][1] * x[1] + b[0], w[1][0] * x[0] + w[1][1] * x[1] + b[1]};
  }

  /** Attention output (dense + residual + LN), then GELU FFN (+ residual + LN). */
  private static double[] feedForward(double[] context, double[] residual) {
    double[] dense = affine2(WO, context, BO);
    double[] attention = layerNorm2(dense[0] + residual[0], dense[1] + residual[1], ATT_LN_W, ATT_LN_B);
    double[] inner = affine2(WI, attention, BI);
    double[] activated = {gelu(inner[0]), gelu(inner[1])};
    double[] out = affine2(WOUT, activated, BOUT);
    return layerNorm2(out[0] + attention[0], out[1] + attention[1], OUT_LN_W, OUT_LN_B);
  }

  private static double gelu(double x) {
    return 0.5 * x * (1 + Erf.erf(x / Math.sqrt(2)));
  }

  private static EncoderWeights tinyWeights() {
    return EncoderWeights.of(TINY, tinyTensors(), "tiny");
  }

  private static Map<String, WeightTensor> tinyTensors() {
    Map<String, WeightTensor> t = new LinkedHashMap<>();
    put(t, "embeddings.word_embeddings.weight", WORD);
    put(t, "embeddings.position_embeddings.weight", POSITION);
    put(t, "embeddings.token_type_embeddings.weight", TYPE);
    put(t, "embeddings.LayerNorm.weight", EMB_LN_W);
    put(t, "embeddings.LayerNorm.bias", EMB_LN_B);
    String layer = "encoder.layer.0.";
    put(t, layer + "attention.self.query.weight", WQ);
    put(t, layer + "attention.self.query.bias", BQ);
    put(t, layer + "attention.self.key.weight", WK);
    put(t, layer + "attention.self.key.bias", BK);
    put(t, layer + "attention.self.value.weight", WV);
    put(t, layer + "attention.self.value.bias", BV);
    put(t, layer + "attention.output.dense.weight", WO);
    put(t, layer + "attention.output.dense.bias", BO);
    put(t, layer + "attention.output.LayerNorm.weight", ATT_LN_W);
    put(t, layer + "attention.output.LayerNorm.bias", ATT_LN_B);
    put(t, layer + "intermediate.dense.weight", WI);
    put(t, layer + "intermediate.dense.bias", BI);
    put(t, layer + "output.dense.weight", WOUT);
    put(t, layer + "output.dense.bias", BOUT);
    put(t, layer + "output.LayerNorm.weight", OUT_LN_W);
    put(t, layer + "output.LayerNorm.bias", OUT_LN_B);
    put(t, "pooler.dense.weight", WP);
    put(t, "pooler.dense.bias", BP);
    return t;
  }

  private static void put(Map<String, WeightTensor> tensors, String name, double[][] matrix) {
    float[] values = new float[matrix.length * matrix[0].length];
    for (int r = 0; r < matrix.length; r++) {
      for (int c = 0; c < matrix[r].length; c++) {
        values[r * matrix[r].length + c] = (float) matrix[r][c];
      }
    }
    tensors.put(name, new WeightTensor(name, new long[] {matrix.length, matrix[0].length}, values));
  }

  private static void put(Map<String, WeightTensor> tensors, String name, double[] vector) {
    float[] values = new float[vector.length];
    for (int i = 0; i < vector.length; i++) {
      values[i] = (float) vector[i];
    }
    tensors.put(name, new WeightTensor(name, new long[] {vector.length}, values));
  }
}
