package org.kluespark.job.profile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.kluespark.embed.BatchPlanner;
import org.kluespark.embed.DuplicateRows;

/**
 * Replays what the stage's {@code WindowEmbedder} does with rows, without running the model: windows of
 * {@code windowSize} rows in input order, repeats dropped when duplicates are reused, the rest sorted by token
 * count and cut by the real {@link BatchPlanner}, each batch padded to its longest row.
 */
public final class PaddingSimulation {
  /**
   * @param rows rows in the windows (null rows left out)
   * @param rowsRun rows the model would run (repeats of an earlier row of the window left out)
   * @param realTokens tokens of the rows run
   * @param paddedTokens rows × longest row, summed over batches
   */
  public record Result(long rows, long rowsRun, long realTokens, long paddedTokens, int batches) {
    /** Real tokens / padded tokens: the share of the model's work spent on text rather than padding. */
    public double efficiency() {
      return paddedTokens == 0 ? 1 : (double) realTokens / paddedTokens;
    }

    /** The share of rows the model runs; the rest get a copy of an earlier row's vectors. */
    public double runShare() {
      return rows == 0 ? 1 : (double) rowsRun / rows;
    }
  }

  private PaddingSimulation() {}

  /**
   * @param keys each row's duplicate key (its text, or text and pair), in input order
   * @param lengths each row's token count at the maxSeqLength simulated, in the same order
   */
  public static Result simulate(List<?> keys, int[] lengths, int windowSize, int batchSize, int batchCostTokens,
      boolean reuseDuplicates) {
    if (keys.size() != lengths.length) {
      throw new IllegalArgumentException(keys.size() + " keys for " + lengths.length + " lengths");
    }
    if (windowSize <= 0) {
      throw new IllegalArgumentException("Invalid windowSize (must be > 0): " + windowSize);
    }
    long rowsRun = 0;
    long real = 0;
    long padded = 0;
    int batches = 0;
    for (int start = 0; start < lengths.length; start += windowSize) {
      int end = Math.min(lengths.length, start + windowSize);
      int[] sameAs = reuseDuplicates ? DuplicateRows.firstOccurrences(keys.subList(start, end)) : null;
      List<Integer> run = new ArrayList<>();
      for (int i = start; i < end; i++) {
        if (sameAs == null || sameAs[i - start] == DuplicateRows.FIRST) {
          run.add(lengths[i]);
        }
      }
      int[] sorted = run.stream().mapToInt(Integer::intValue).toArray();
      Arrays.sort(sorted);
      int[] ends = BatchPlanner.plan(sorted, batchSize, batchCostTokens);
      int first = 0;
      for (int batchEnd : ends) {
        int longest = Math.max(1, sorted[batchEnd - 1]); // as TokenBatch pads: an empty row still takes one
        padded += (long) (batchEnd - first) * longest;
        first = batchEnd;
      }
      for (int length : sorted) {
        real += length;
      }
      rowsRun += sorted.length;
      batches += ends.length;
    }
    return new Result(lengths.length, rowsRun, real, padded, batches);
  }
}
