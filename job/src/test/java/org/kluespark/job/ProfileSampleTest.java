package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ProfileSampleTest {
  @Test
  void thinsEvenlyInOrderAndKeepsShortListsWhole() {
    List<Integer> items = IntStream.range(0, 10).boxed().toList();

    assertThat(ProfileSample.evenlySpaced(items, 5)).containsExactly(0, 2, 4, 6, 8);
    assertThat(ProfileSample.evenlySpaced(items, 3)).containsExactly(0, 3, 6);
    assertThat(ProfileSample.evenlySpaced(items, 20)).isEqualTo(items);
    assertThat(ProfileSample.evenlySpacedIndices(10, 3)).containsExactly(0, 3, 6);
    assertThat(ProfileSample.evenlySpacedIndices(2, 5)).containsExactly(0, 1);
  }

  @Test
  void shellQuotesOnlyWhatNeedsIt() {
    assertThat(ProfileCommand.shellQuoted("s3a://bucket/in.parquet")).isEqualTo("s3a://bucket/in.parquet");
    assertThat(ProfileCommand.shellQuoted("my data/*.json")).isEqualTo("'my data/*.json'");
    assertThat(ProfileCommand.shellQuoted("it's")).isEqualTo("'it'\\''s'");
  }
}
