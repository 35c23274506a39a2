package org.kluespark.metrics;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.scheduler.AccumulableInfo;

/**
 * Totals of the stage's counters for a job, with the derived figures users look at: how many rows were
 * truncated at maxSeqLength, and how much of the model's work went to padding. {@code rows} counts every
 * output row; {@code realTokens} and {@code paddedTokens} count what the model computed, so rows served by a
 * copy of an identical row ({@code duplicateRows}) are in the first and not in the others.
 */
public record EmbeddingMetrics(long rows, long nullRows, long realTokens, long paddedTokens, long truncatedRows,
    long batches, long inferenceMicros, long oomSplits, long failedRows, long modelLoads, long cpuFallbacks,
    long duplicateRows) {

  public static final EmbeddingMetrics ZERO = new EmbeddingMetrics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /** Without duplicate rows. */
  public EmbeddingMetrics(long rows, long nullRows, long realTokens, long paddedTokens, long truncatedRows,
      long batches, long inferenceMicros, long oomSplits, long failedRows, long modelLoads, long cpuFallbacks) {
    this(rows, nullRows, realTokens, paddedTokens, truncatedRows, batches, inferenceMicros, oomSplits, failedRows,
        modelLoads, cpuFallbacks, 0);
  }

  /** Without failed rows, model loads and CPU fallbacks. */
  public EmbeddingMetrics(long rows, long nullRows, long realTokens, long paddedTokens, long truncatedRows,
      long batches, long inferenceMicros, long oomSplits) {
    this(rows, nullRows, realTokens, paddedTokens, truncatedRows, batches, inferenceMicros, oomSplits, 0, 0, 0);
  }

  /** Without CPU fallbacks. */
  public EmbeddingMetrics(long rows, long nullRows, long realTokens, long paddedTokens, long truncatedRows,
      long batches, long inferenceMicros, long oomSplits, long failedRows, long modelLoads) {
    this(rows, nullRows, realTokens, paddedTokens, truncatedRows, batches, inferenceMicros, oomSplits, failedRows,
        modelLoads, 0);
  }

  /** Totals from accumulator values keyed by their {@link EmbeddingCounters} names; other names are ignored. */
  public static EmbeddingMetrics fromAccumulators(Map<String, Long> values) {
    return new EmbeddingMetrics(values.getOrDefault(EmbeddingCounters.ROWS, 0L),
        values.getOrDefault(EmbeddingCounters.NULL_ROWS, 0L), values.getOrDefault(EmbeddingCounters.REAL_TOKENS, 0L),
        values.getOrDefault(EmbeddingCounters.PADDED_TOKENS, 0L),
        values.getOrDefault(EmbeddingCounters.TRUNCATED_ROWS, 0L), values.getOrDefault(EmbeddingCounters.BATCHES, 0L),
        values.getOrDefault(EmbeddingCounters.INFERENCE_MICROS, 0L), values.getOrDefault(EmbeddingCounters.OOM_SPLITS, 0L),
        values.getOrDefault(EmbeddingCounters.FAILED_ROWS, 0L), values.getOrDefault(EmbeddingCounters.MODEL_LOADS, 0L),
        values.getOrDefault(EmbeddingCounters.CPU_FALLBACKS, 0L),
        values.getOrDefault(EmbeddingCounters.DUPLICATE_ROWS, 0L));
  }

  /**
   * One finished task's share, from its accumulator updates ({@code SparkListenerTaskEnd.taskInfo().accumulables()}).
   * Add these up over successful tasks only: a failed attempt's rows are embedded again by its retry.
   */
  public static EmbeddingMetrics fromTaskAccumulables(Iterable<AccumulableInfo> accumulables) {
    Map<String, Long> values = new HashMap<>();
    for (AccumulableInfo info : accumulables) {
      if (info.name().isDefined() && EmbeddingCounters.NAMES.contains(info.name().get())
          && info.update().isDefined()) {
        values.merge(info.name().get(), ((Number) info.update().get()).longValue(), Long::sum);
      }
    }
    return fromAccumulators(values);
  }

  public EmbeddingMetrics plus(EmbeddingMetrics other) {
    return new EmbeddingMetrics(rows + other.rows, nullRows + other.nullRows, realTokens + other.realTokens,
        paddedTokens + other.paddedTokens, truncatedRows + other.truncatedRows, batches + other.batches,
        inferenceMicros + other.inferenceMicros, oomSplits + other.oomSplits, failedRows + other.failedRows,
        modelLoads + other.modelLoads, cpuFallbacks + other.cpuFallbacks, duplicateRows + other.duplicateRows);
  }

  /** Real tokens / padded tokens: 1.0 means no compute spent on padding. */
  public double paddingEfficiency() {
    return paddedTokens == 0 ? 1.0 : (double) realTokens / paddedTokens;
  }

  /** Truncated rows / embedded (non-null, not failed) rows. */
  public double truncatedFraction() {
    long embedded = rows - nullRows - failedRows;
    return embedded == 0 ? 0 : (double) truncatedRows / embedded;
  }

  /**
   * {@code 3000 rows (2 null), 360 truncated at maxSeqLength (12.0%), 94 batches, padding efficiency 92.6%
   * (120345 real / 130000 padded tokens), inference 35.2 s, 2 model loads}. Duplicate rows (served by a copy of
   * an identical row, not run) are left out at 0. Model loads are the sessions this
   * run's tasks created (one per executor JVM; none where a session was already cached) and are left out at 0;
   * so are CPU fallbacks (tasks that had a GPU but ran on the CPU because CUDA could not start).
   */
  public String summary() {
    return String.format(Locale.ROOT, "%d rows (%d null), %d truncated at maxSeqLength (%.1f%%), %d batches, "
            + "padding efficiency %.1f%% (%d real / %d padded tokens), inference %.1f s", rows, nullRows,
        truncatedRows, 100 * truncatedFraction(), batches, 100 * paddingEfficiency(), realTokens, paddedTokens,
        inferenceMicros / 1e6)
        + (duplicateRows > 0 ? ", " + duplicateRows + " duplicate row(s) served by a copy (not run)" : "")
        + (oomSplits > 0 ? ", " + oomSplits + " batch(es) split after running out of memory" : "")
        + (failedRows > 0 ? ", " + failedRows + " row(s) failed (null outputs, reason in errorCol)" : "")
        + (modelLoads > 0 ? ", " + modelLoads + (modelLoads == 1 ? " model load" : " model loads") : "")
        + (cpuFallbacks > 0 ? ", " + cpuFallbacks + " task(s) ran on the CPU because the CUDA provider failed "
            + "(device=auto; see the executor log)" : "");
  }
}
