package org.kluespark.job.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Token counts as a text histogram: equal-width buckets up to the 99th percentile (a power-of-two width giving
 * at most {@value #MAX_BUCKETS} of them), then one open bucket for the long tail, so one outlier does not squash
 * every bar into the first line. Buckets start at the shortest row's, rounded down to the width.
 */
public final class LengthHistogram {
  static final int MAX_BUCKETS = 16;
  static final int BAR_WIDTH = 40;

  /** Rows with a count in {@code [from, to)}; {@code to} is {@link Integer#MAX_VALUE} for the open bucket. */
  public record Bucket(int from, int to, int rows) {}

  private LengthHistogram() {}

  public static List<Bucket> buckets(TokenLengths lengths) {
    int top = lengths.percentile(99) + 1; // equal-width buckets cover [first, top)
    int shortest = lengths.min();
    int width = 1;
    while ((top - floor(shortest, width) + width - 1) / width > MAX_BUCKETS) {
      width *= 2;
    }
    List<Bucket> buckets = new ArrayList<>();
    int from = floor(shortest, width);
    for (; from < top; from += width) {
      buckets.add(new Bucket(from, from + width, lengths.countBetween(from, from + width)));
    }
    if (lengths.max() >= from) {
      buckets.add(new Bucket(from, Integer.MAX_VALUE, lengths.countBetween(from, Integer.MAX_VALUE)));
    }
    return buckets;
  }

  private static int floor(int value, int width) {
    return value / width * width;
  }

  /** One line per bucket: its range, a bar scaled to the fullest bucket, the row count and share. */
  public static List<String> render(TokenLengths lengths) {
    List<Bucket> buckets = buckets(lengths);
    int fullest = buckets.stream().mapToInt(Bucket::rows).max().orElse(0);
    int labelWidth = Integer.toString(buckets.get(buckets.size() - 1).from()).length();
    List<String> lines = new ArrayList<>();
    for (Bucket bucket : buckets) {
      String range = bucket.to() == Integer.MAX_VALUE
          ? String.format(Locale.ROOT, "%" + labelWidth + "d+%" + labelWidth + "s", bucket.from(), "")
          : String.format(Locale.ROOT, "%" + labelWidth + "d-%-" + labelWidth + "d", bucket.from(), bucket.to() - 1);
      int bar = fullest == 0 ? 0 : (int) Math.round((double) BAR_WIDTH * bucket.rows() / fullest);
      if (bar == 0 && bucket.rows() > 0) {
        bar = 1; // a non-empty bucket always shows
      }
      lines.add(String.format(Locale.ROOT, "  %s | %-" + BAR_WIDTH + "s %,7d (%5.1f%%)", range, "#".repeat(bar),
          bucket.rows(), 100.0 * bucket.rows() / lengths.rows()));
    }
    return lines;
  }
}
