package org.kluespark.job.profile;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeqLengthAdviceTest {
  /** {@code rows} rows of 30 tokens and {@code longRows} of {@code longLength}. */
  private static TokenLengths lengths(int rows, int longRows, int longLength) {
    int[] lengths = new int[rows + longRows];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = i < rows ? 30 : longLength;
    }
    return TokenLengths.of(lengths);
  }

  @Test
  void theShortestCandidateCuttingAtMostOnePercent() {
    assertThat(SeqLengthAdvice.recommend(lengths(99, 1, 100), 512))
        .isEqualTo(new SeqLengthAdvice(64, 0.01, 512, true)); // 1% cut is allowed
    assertThat(SeqLengthAdvice.recommend(lengths(98, 2, 100), 512).maxSeqLength()).isEqualTo(128);
    assertThat(SeqLengthAdvice.recommend(lengths(90, 10, 300), 512).maxSeqLength()).isEqualTo(512);
  }

  @Test
  void cappedByTheModelsPositions() {
    SeqLengthAdvice advice = SeqLengthAdvice.recommend(lengths(90, 10, 300), 256);

    assertThat(advice).isEqualTo(new SeqLengthAdvice(256, 0.1, 256, false));
    assertThat(SeqLengthAdvice.allowed(40)).containsExactly(40); // a model shorter than every candidate
    assertThat(SeqLengthAdvice.allowed(null)).containsExactly(64, 128, 256, 512);
  }

  @Test
  void moreThanOnePercentBeyond512IsTheLongestWithItsCut() {
    SeqLengthAdvice advice = SeqLengthAdvice.recommend(lengths(50, 50, 900), null);

    assertThat(advice).isEqualTo(new SeqLengthAdvice(512, 0.5, null, false));
  }
}
