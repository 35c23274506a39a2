package org.kluespark.job.profile;

import java.util.Arrays;

/**
 * Token counts of sampled rows (special tokens included, not truncated): their mean, percentiles, maximum, and
 * the share of rows a given maxSeqLength would cut.
 */
public final class TokenLengths {
  private final int[] sorted;

  private TokenLengths(int[] sorted) {
    this.sorted = sorted;
  }

  /** @param lengths one count per row, any order (null rows left out) */
  public static TokenLengths of(int[] lengths) {
    if (lengths.length == 0) {
      throw new IllegalArgumentException("No rows to profile: every sampled row is null or the sample is empty.");
    }
    int[] sorted = lengths.clone();
    Arrays.sort(sorted);
    if (sorted[0] < 0) {
      throw new IllegalArgumentException("Invalid token count (must be >= 0): " + sorted[0]);
    }
    return new TokenLengths(sorted);
  }

  public int rows() {
    return sorted.length;
  }

  public double mean() {
    long sum = 0;
    for (int length : sorted) {
      sum += length;
    }
    return (double) sum / sorted.length;
  }

  /** Nearest-rank percentile: the smallest count that at least {@code percent}% of rows do not exceed. */
  public int percentile(double percent) {
    if (!(percent > 0 && percent <= 100)) {
      throw new IllegalArgumentException("Invalid percentile (must be in (0, 100]): " + percent);
    }
    int rank = (int) Math.ceil(percent / 100 * sorted.length);
    return sorted[Math.max(rank, 1) - 1];
  }

  public int min() {
    return sorted[0];
  }

  public int max() {
    return sorted[sorted.length - 1];
  }

  /** The share of rows longer than {@code maxSeqLength}, which the tokenizer would cut. */
  public double cutShare(int maxSeqLength) {
    int firstCut = upperBound(maxSeqLength);
    return (double) (sorted.length - firstCut) / sorted.length;
  }

  /** Rows with a count in {@code [from, to)}. */
  public int countBetween(int from, int to) {
    return upperBound(to - 1) - upperBound(from - 1);
  }

  /** Each row's count as the model would see it at {@code maxSeqLength}: min(count, maxSeqLength). */
  public int[] truncatedAt(int maxSeqLength) {
    int[] out = new int[sorted.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.min(sorted[i], maxSeqLength);
    }
    return out;
  }

  /** Index of the first count greater than {@code value}. */
  private int upperBound(int value) {
    int low = 0;
    int high = sorted.length;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (sorted[mid] <= value) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }
}
