package org.kluespark.embed;

import org.kluespark.inference.ExecutionTarget;

/**
 * Cuts rows sorted by token count into batches of at most {@code maxRows}, choosing the cuts that minimise the
 * work the model does: the padded tokens of every batch (rows × its longest row) plus a fixed cost per batch.
 *
 * <p>Cutting every {@code maxRows} rows wastes compute wherever a batch straddles a jump in length: the short
 * rows are padded to the long ones. An exact dynamic programme over the sorted lengths (O(rows × maxRows)) cuts
 * at those jumps instead, as long as the extra batch costs less than the padding it saves. Attention is
 * quadratic in length, but at BERT sizes and ≤ 512 tokens the dense layers dominate, so padded tokens are the
 * cost that matters.
 */
public final class BatchPlanner {
  /**
   * What one more ONNX Runtime call costs on the CPU, in tokens of compute. Measured with MiniLM (the model
   * where the fixed cost weighs most; 2 threads, rows of 24 tokens): a call costs about 2.9 ms more than the
   * tokens in it, i.e. about 16 tokens; for BERT-base it is about 2 tokens. From 4 rows up the cost per token
   * is flat, so small batches of equal-length rows lose nothing.
   */
  public static final int CPU_BATCH_COST_TOKENS = 16;

  /**
   * The same on a GPU, where each call launches hundreds of kernels and a token costs little, so batches should
   * stay full. An estimate (no GPU was available to measure it): about 5 ms of launches against ~100k tokens/s.
   */
  public static final int GPU_BATCH_COST_TOKENS = 512;

  private BatchPlanner() {}

  /** The per-call cost on {@code target}. */
  public static int batchCostTokens(ExecutionTarget target) {
    return target.cuda() ? GPU_BATCH_COST_TOKENS : CPU_BATCH_COST_TOKENS;
  }

  /**
   * The batches, as exclusive end indices into {@code sortedLengths}: batch {@code b} holds rows
   * {@code [ends[b-1], ends[b])} (the first starts at 0). Among the cheapest plans, the one with the fewest
   * batches.
   *
   * @param sortedLengths token counts, ascending
   * @param maxRows rows per batch at most
   * @param batchCostTokens the fixed cost of a batch, in tokens
   */
  public static int[] plan(int[] sortedLengths, int maxRows, int batchCostTokens) {
    if (maxRows <= 0) {
      throw new IllegalArgumentException("Invalid maxRows (must be > 0): " + maxRows);
    }
    if (batchCostTokens < 0) {
      throw new IllegalArgumentException("Invalid batchCostTokens (must be >= 0): " + batchCostTokens);
    }
    int n = sortedLengths.length;
    for (int i = 1; i < n; i++) {
      if (sortedLengths[i] < sortedLengths[i - 1]) {
        throw new IllegalArgumentException("Lengths must be sorted ascending; index " + i + " is "
            + sortedLengths[i] + " after " + sortedLengths[i - 1]);
      }
    }
    // cost[i]: cheapest plan for rows [0, i); batches[i]: its batch count; start[i]: where its last batch starts.
    long[] cost = new long[n + 1];
    int[] batches = new int[n + 1];
    int[] start = new int[n + 1];
    for (int end = 1; end <= n; end++) {
      long longest = Math.max(1, sortedLengths[end - 1]); // an empty row still pads to one token
      cost[end] = Long.MAX_VALUE;
      for (int first = end - 1; first >= Math.max(0, end - maxRows); first--) {
        long candidate = cost[first] + (end - first) * longest + batchCostTokens;
        int candidateBatches = batches[first] + 1;
        if (candidate < cost[end] || candidate == cost[end] && candidateBatches < batches[end]) {
          cost[end] = candidate;
          batches[end] = candidateBatches;
          start[end] = first;
        }
      }
    }
    int[] ends = new int[batches[n]];
    for (int end = n, b = ends.length - 1; end > 0; end = start[end], b--) {
      ends[b] = end;
    }
    return ends;
  }
}
