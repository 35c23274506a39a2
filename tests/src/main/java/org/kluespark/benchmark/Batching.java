package org.kluespark.benchmark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/** How the raw systems cut batches, and what padding costs (pure logic). */
public final class Batching {
  private Batching() {}

  /**
   * Row indices per batch of at most {@code batchSize}: in file order, or (when {@code sortByLength}) after a
   * stable sort by token count, so each batch holds rows of similar length.
   */
  public static List<int[]> batches(int[] tokenCounts, int batchSize, boolean sortByLength) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("Invalid batch size (must be > 0): " + batchSize);
    }
    Integer[] order = IntStream.range(0, tokenCounts.length).boxed().toArray(Integer[]::new);
    if (sortByLength) {
      Arrays.sort(order, Comparator.comparingInt(i -> tokenCounts[i])); // stable
    }
    List<int[]> batches = new ArrayList<>();
    for (int start = 0; start < order.length; start += batchSize) {
      int end = Math.min(order.length, start + batchSize);
      int[] batch = new int[end - start];
      for (int i = start; i < end; i++) {
        batch[i - start] = order[i];
      }
      batches.add(batch);
    }
    return batches;
  }

  /** The longest row of a batch: every row is padded to it. */
  public static int paddedLength(int[] tokenCounts, int[] batch) {
    int max = 0;
    for (int row : batch) {
      max = Math.max(max, tokenCounts[row]);
    }
    return max;
  }

  /** {real tokens, padded tokens (rows × padded length)} over all batches. */
  public static long[] tokenTotals(int[] tokenCounts, List<int[]> batches) {
    long real = 0;
    long padded = 0;
    for (int[] batch : batches) {
      for (int row : batch) {
        real += tokenCounts[row];
      }
      padded += (long) batch.length * paddedLength(tokenCounts, batch);
    }
    return new long[] {real, padded};
  }
}
