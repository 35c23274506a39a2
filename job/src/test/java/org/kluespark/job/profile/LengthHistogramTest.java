package org.kluespark.job.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kluespark.job.profile.LengthHistogram.Bucket;

class LengthHistogramTest {
  @Test
  void smallCountsGetOneBucketPerLength() {
    List<Bucket> buckets = LengthHistogram.buckets(TokenLengths.of(new int[] {3, 4, 4, 6}));

    assertThat(buckets).containsExactly(new Bucket(3, 4, 1), new Bucket(4, 5, 2), new Bucket(5, 6, 0),
        new Bucket(6, 7, 1));
  }

  @Test
  void widthIsAPowerOfTwoGivingAtMostSixteenBucketsUpToThe99thPercentile() {
    int[] lengths = new int[1000];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = 8 + i % 100; // 8..107
    }
    List<Bucket> buckets = LengthHistogram.buckets(TokenLengths.of(lengths));

    assertThat(buckets).hasSizeLessThanOrEqualTo(LengthHistogram.MAX_BUCKETS);
    assertThat(buckets.get(0)).isEqualTo(new Bucket(8, 16, 80)); // from the shortest row, not from 0
    assertThat(buckets).allSatisfy(b -> assertThat(b.to() - b.from()).isEqualTo(8));
    assertThat(buckets.stream().mapToInt(Bucket::rows).sum()).isEqualTo(1000);
  }

  @Test
  void theTailBeyondThe99thPercentileIsOneOpenBucket() {
    int[] lengths = new int[200];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = 20;
    }
    lengths[0] = 5000; // one outlier must not stretch the scale
    List<Bucket> buckets = LengthHistogram.buckets(TokenLengths.of(lengths));

    assertThat(buckets).containsExactly(new Bucket(20, 21, 199), new Bucket(21, Integer.MAX_VALUE, 1));
  }

  @Test
  void barsScaleToTheFullestBucketAndNonEmptyBucketsShow() {
    int[] lengths = new int[101];
    for (int i = 0; i < 100; i++) {
      lengths[i] = 10;
    }
    lengths[100] = 11;
    List<String> lines = LengthHistogram.render(TokenLengths.of(lengths));

    assertThat(lines).containsExactly(
        "  10-10 | " + "#".repeat(40) + "     100 ( 99.0%)",
        "  11+   | #" + " ".repeat(39) + "       1 (  1.0%)"); // beyond the 99th percentile
  }
}
