package org.kluespark.pooling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.kluespark.inference.EncoderOutput;

class PoolingTest {
  // Two rows, three token slots, hidden 2. Row 0 has 2 real tokens, row 1 has 3.
  private static final float[] HIDDEN = {
      1, 2, 3, 4, 100, 100, // row 0: tokens (1,2) (3,4) + padding (100,100)
      -1, 5, 0, 0, 7, -2}; // row 1
  private static final float[] POOLER = {0.5f, -0.5f, 0.25f, 0.75f};
  private static final EncoderOutput OUT = new EncoderOutput(2, 3, 2, HIDDEN, POOLER);

  @Test
  void clsTakesTheFirstToken() {
    assertThat(Pooling.CLS.pool(OUT, 1, 3)).containsExactly(-1, 5);
  }

  @Test
  void meanIgnoresPadding() {
    assertThat(Pooling.MEAN.pool(OUT, 0, 2)).containsExactly(2, 3);
    assertThat(Pooling.MEAN.pool(OUT, 1, 3)).containsExactly(2, 1);
  }

  @Test
  void maxIgnoresPadding() {
    assertThat(Pooling.MAX.pool(OUT, 0, 2)).containsExactly(3, 4);
    assertThat(Pooling.MAX.pool(OUT, 1, 3)).containsExactly(7, 5);
  }

  @Test
  void meanSqrtLenDividesTheSumByTheRootOfTheTokenCount() {
    assertThat(Pooling.MEAN_SQRT_LEN_TOKENS.pool(OUT, 0, 2))
        .containsExactly((float) (4 / Math.sqrt(2)), (float) (6 / Math.sqrt(2)));
  }

  @Test
  void weightedMeanWeighsTokenTByTPlusOneAndIgnoresPadding() {
    // row 1: (1*(-1) + 2*0 + 3*7) / 6, (1*5 + 2*0 + 3*(-2)) / 6
    assertThat(Pooling.WEIGHTEDMEAN.pool(OUT, 1, 3)).containsExactly(20f / 6, -1f / 6);
    // row 0: (1*1 + 2*3) / 3, (1*2 + 2*4) / 3; padding (100, 100) has no weight
    assertThat(Pooling.WEIGHTEDMEAN.pool(OUT, 0, 2)).containsExactly(7f / 3, 10f / 3);
  }

  @Test
  void lastTokenTakesTheLastRealTokenNotThePadding() {
    assertThat(Pooling.LASTTOKEN.pool(OUT, 0, 2)).containsExactly(3, 4);
    assertThat(Pooling.LASTTOKEN.pool(OUT, 1, 3)).containsExactly(7, -2);
  }

  @Test
  void poolerTakesTheModelsPoolerRow() {
    assertThat(Pooling.POOLER.pool(OUT, 1, 3)).containsExactly(0.25f, 0.75f);
  }

  @Test
  void autoWithoutADeclarationMeansPoolerWhenTheModelHasOneElseCls() {
    // Spec change (issue 13): auto on a model without pooler_output is cls, as convert always said, not mean.
    assertThat(Pooling.AUTO.resolve(true)).isEqualTo(Pooling.POOLER);
    assertThat(Pooling.AUTO.resolve(false)).isEqualTo(Pooling.CLS);
    assertThat(Pooling.CLS.resolve(true)).isEqualTo(Pooling.CLS);
    assertThatThrownBy(() -> Pooling.AUTO.pool(OUT, 0, 2)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void l2NormalizeGivesUnitLengthAndKeepsZero() {
    float[] v = Pooling.l2Normalize(new float[] {3, 4});
    assertThat(v[0]).isCloseTo(0.6f, within(1e-7f));
    assertThat(v[1]).isCloseTo(0.8f, within(1e-7f));
    assertThat(Pooling.l2Normalize(new float[] {0, 0})).containsExactly(0, 0);
  }

  @Test
  void parsesParamValuesAndNamesTheValidOnes() {
    assertThat(Pooling.fromParam("MEAN")).isEqualTo(Pooling.MEAN);
    assertThatThrownBy(() -> Pooling.fromParam("avg"))
        .hasMessage("Invalid pooling 'avg', expected one of [auto, pooler, cls, mean, max, mean_sqrt_len_tokens, weightedmean, lasttoken]");
  }
}
