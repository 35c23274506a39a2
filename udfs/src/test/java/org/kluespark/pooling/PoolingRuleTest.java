package org.kluespark.pooling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PoolingRuleTest {
  private static final DenseLayer DENSE = new DenseLayer(
      new DenseLayer.Config(2, 3, true, DenseLayer.Activation.TANH),
      new float[] {1, 0, 0, 1, 1, -1}, new float[] {0, 0.5f, 0});
  private static final SentenceDeclaration MEAN_DENSE_NORMALIZE =
      new SentenceDeclaration(Pooling.MEAN, DENSE.config(), true, "modules.json");

  @Test
  void autoIsTheDeclaredPipelineElsePoolerElseCls() {
    PoolingRule.Resolved declared = PoolingRule.resolve("auto", null, MEAN_DENSE_NORMALIZE, DENSE, true, "m");
    assertThat(declared.pooling()).isEqualTo(Pooling.MEAN);
    assertThat(declared.dense()).isSameAs(DENSE);
    assertThat(declared.normalize()).isTrue();
    assertThat(declared.declared()).isTrue();
    assertThat(declared.width(2)).isEqualTo(3);

    assertThat(PoolingRule.resolve("auto", null, null, null, true, "m").pooling()).isEqualTo(Pooling.POOLER);
    PoolingRule.Resolved cls = PoolingRule.resolve("auto", null, null, null, false, "m");
    assertThat(cls.pooling()).isEqualTo(Pooling.CLS);
    assertThat(cls.normalize()).isFalse();
    assertThat(cls.width(2)).isEqualTo(2);
  }

  @Test
  void explicitPoolingReplacesTheDeclaredPipelineAndExplicitNormalizeWins() {
    PoolingRule.Resolved max = PoolingRule.resolve("max", null, MEAN_DENSE_NORMALIZE, DENSE, true, "m");
    assertThat(max.pooling()).isEqualTo(Pooling.MAX);
    assertThat(max.dense()).isNull(); // Dense and Normalize belong to the declared pipeline
    assertThat(max.normalize()).isFalse();
    assertThat(max.declared()).isFalse();
    assertThat(PoolingRule.resolve("max", true, MEAN_DENSE_NORMALIZE, DENSE, true, "m").normalize()).isTrue();

    PoolingRule.Resolved notNormalized = PoolingRule.resolve("auto", false, MEAN_DENSE_NORMALIZE, DENSE, true, "m");
    assertThat(notNormalized.normalize()).isFalse();
    assertThat(notNormalized.dense()).isSameAs(DENSE);
  }

  @Test
  void poolerWithoutAPoolerOutputSaysWhatAutoWouldDo() {
    assertThatThrownBy(() -> PoolingRule.resolve("pooler", null, MEAN_DENSE_NORMALIZE, DENSE, false, "/m"))
        .hasMessageContaining("pooling=pooler, but the model at /m has no pooler_output")
        .hasMessageContaining("pooling=auto (mean, then Dense 2 -> 3, tanh, bias, then L2 normalize");
  }

  @Test
  void autoSummaryStatesTheRule() {
    assertThat(PoolingRule.autoSummary(null, true)).startsWith("pooler");
    assertThat(PoolingRule.autoSummary(null, false)).startsWith("cls");
    assertThat(PoolingRule.autoSummary(MEAN_DENSE_NORMALIZE, true))
        .isEqualTo("mean, then Dense 2 -> 3, tanh, bias, then L2 normalize (declared by modules.json)");
  }

  @Test
  void denseIsLinearThenActivation() {
    float[] out = DENSE.apply(new float[] {0.5f, -1});
    assertThat(out[0]).isCloseTo((float) Math.tanh(0.5), within(1e-7f));
    assertThat(out[1]).isCloseTo((float) Math.tanh(-0.5), within(1e-7f));
    assertThat(out[2]).isCloseTo((float) Math.tanh(1.5), within(1e-7f));
    assertThatThrownBy(() -> DENSE.apply(new float[3])).hasMessageContaining("takes 2 features");
  }

  @Test
  void declarationRoundTripsThroughManifestParameters() {
    Map<String, String> parameters = MEAN_DENSE_NORMALIZE.toParameters("ab12");
    assertThat(parameters).containsEntry("declared.pooling", "mean").containsEntry("declared.normalize", "true")
        .containsEntry("declared.dense.activation", "torch.nn.modules.activation.Tanh")
        .containsEntry("declared.dense.sha256", "ab12");
    assertThat(SentenceDeclaration.fromParameters(parameters, "kluespark.json")).isEqualTo(MEAN_DENSE_NORMALIZE);
    assertThat(SentenceDeclaration.fromParameters(Map.of("family", "bert"), "kluespark.json")).isNull();
    assertThatThrownBy(() -> SentenceDeclaration.fromParameters(Map.of("declared.pooling", "avg"), "k.json"))
        .hasMessageContaining("k.json has an unreadable pooling declaration").hasMessageContaining("'avg'");
  }
}
