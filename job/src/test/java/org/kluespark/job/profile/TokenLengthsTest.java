package org.kluespark.job.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TokenLengthsTest {
  // 1..100 shuffled a little: percentiles by nearest rank are the values themselves.
  private static int[] oneToHundred() {
    int[] lengths = new int[100];
    for (int i = 0; i < 100; i++) {
      lengths[i] = 100 - i;
    }
    return lengths;
  }

  @Test
  void meanPercentilesAndMax() {
    TokenLengths lengths = TokenLengths.of(oneToHundred());

    assertThat(lengths.rows()).isEqualTo(100);
    assertThat(lengths.mean()).isCloseTo(50.5, within(1e-12));
    assertThat(lengths.percentile(50)).isEqualTo(50);
    assertThat(lengths.percentile(90)).isEqualTo(90);
    assertThat(lengths.percentile(99)).isEqualTo(99);
    assertThat(lengths.percentile(100)).isEqualTo(100);
    assertThat(lengths.percentile(0.1)).isEqualTo(1);
    assertThat(lengths.max()).isEqualTo(100);
  }

  @Test
  void percentileOfFewRowsIsNearestRank() {
    TokenLengths lengths = TokenLengths.of(new int[] {10, 40, 20});

    assertThat(lengths.percentile(50)).isEqualTo(20); // rank ceil(1.5) = 2
    assertThat(lengths.percentile(90)).isEqualTo(40);
    assertThat(lengths.percentile(33)).isEqualTo(10);
  }

  @Test
  void cutShareCountsRowsLongerThanTheLimit() {
    TokenLengths lengths = TokenLengths.of(new int[] {64, 65, 128, 129, 10});

    assertThat(lengths.cutShare(64)).isEqualTo(3 / 5.0); // exactly 64 tokens fits
    assertThat(lengths.cutShare(128)).isEqualTo(1 / 5.0);
    assertThat(lengths.cutShare(512)).isZero();
    assertThat(lengths.truncatedAt(64)).containsExactly(10, 64, 64, 64, 64);
  }

  @Test
  void countBetweenIsHalfOpen() {
    TokenLengths lengths = TokenLengths.of(new int[] {0, 7, 8, 15, 16});

    assertThat(lengths.countBetween(0, 8)).isEqualTo(2);
    assertThat(lengths.countBetween(8, 16)).isEqualTo(2);
    assertThat(lengths.countBetween(16, Integer.MAX_VALUE)).isEqualTo(1);
  }

  @Test
  void refusesNoRowsAndBadPercentiles() {
    assertThatThrownBy(() -> TokenLengths.of(new int[0])).hasMessageContaining("No rows to profile");
    assertThatThrownBy(() -> TokenLengths.of(new int[] {3}).percentile(0))
        .hasMessage("Invalid percentile (must be in (0, 100]): 0.0");
  }
}
