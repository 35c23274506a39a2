package org.kluespark.metrics;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;
import org.kluespark.embed.EmbeddingListener;
import org.kluespark.inference.SessionEvents;

/**
 * The stage's executor-side counters: named Spark accumulators, one set per transform, updated after every
 * batch. Named accumulators show in the Spark UI's stage pages, ride along in executor heartbeats while
 * tasks run, and reach driver-side listeners with each finished task ({@link EmbeddingMetrics} adds them up).
 */
public final class EmbeddingCounters implements EmbeddingListener, SessionEvents, Serializable {
  private static final long serialVersionUID = 1L;

  public static final String ROWS = "kluespark.rowsEmbedded";
  public static final String NULL_ROWS = "kluespark.nullRows";
  public static final String REAL_TOKENS = "kluespark.realTokens";
  public static final String PADDED_TOKENS = "kluespark.paddedTokens";
  public static final String TRUNCATED_ROWS = "kluespark.truncatedRows";
  public static final String BATCHES = "kluespark.batches";
  public static final String INFERENCE_MICROS = "kluespark.inferenceMicros";
  public static final String OOM_SPLITS = "kluespark.oomSplits";
  /** Rows that could not be embedded and were kept with null outputs (errorCol set). */
  public static final String FAILED_ROWS = "kluespark.failedRows";
  /** ONNX Runtime sessions created by the transform's tasks: one per executor JVM (and device) when reuse works. */
  public static final String MODEL_LOADS = "kluespark.modelLoads";
  /** Tasks that had a GPU but ran on the CPU because the CUDA provider could not start there (device=auto). */
  public static final String CPU_FALLBACKS = "kluespark.cpuFallbacks";

  /**
   * Rows given a copy of an identical earlier row's result in their window instead of being run
   * (reuseDuplicates); they count in {@link #ROWS} (and {@link #TRUNCATED_ROWS}) but not in the token counts,
   * which are what the model computed.
   */
  public static final String DUPLICATE_ROWS = "kluespark.duplicateRows";

  public static final List<String> NAMES =
      List.of(ROWS, NULL_ROWS, REAL_TOKENS, PADDED_TOKENS, TRUNCATED_ROWS, BATCHES, INFERENCE_MICROS, OOM_SPLITS,
          FAILED_ROWS, MODEL_LOADS, CPU_FALLBACKS, DUPLICATE_ROWS);

  private final LongAccumulator rows;
  private final LongAccumulator nullRows;
  private final LongAccumulator realTokens;
  private final LongAccumulator paddedTokens;
  private final LongAccumulator truncatedRows;
  private final LongAccumulator batches;
  private final LongAccumulator inferenceMicros;
  private final LongAccumulator oomSplits;
  private final LongAccumulator failedRows;
  private final LongAccumulator modelLoads;
  private final LongAccumulator cpuFallbacks;
  private final LongAccumulator duplicateRows;

  private EmbeddingCounters(SparkContext sc) {
    rows = sc.longAccumulator(ROWS);
    nullRows = sc.longAccumulator(NULL_ROWS);
    realTokens = sc.longAccumulator(REAL_TOKENS);
    paddedTokens = sc.longAccumulator(PADDED_TOKENS);
    truncatedRows = sc.longAccumulator(TRUNCATED_ROWS);
    batches = sc.longAccumulator(BATCHES);
    inferenceMicros = sc.longAccumulator(INFERENCE_MICROS);
    oomSplits = sc.longAccumulator(OOM_SPLITS);
    failedRows = sc.longAccumulator(FAILED_ROWS);
    modelLoads = sc.longAccumulator(MODEL_LOADS);
    cpuFallbacks = sc.longAccumulator(CPU_FALLBACKS);
    duplicateRows = sc.longAccumulator(DUPLICATE_ROWS);
  }

  /** Registers a fresh set of counters with {@code sc}. */
  public static EmbeddingCounters register(SparkContext sc) {
    return new EmbeddingCounters(sc);
  }

  @Override
  public void nullRows(int count) {
    nullRows.add(count);
    rows.add(count);
  }

  @Override
  public void batchDone(int batchRows, long batchRealTokens, long batchPaddedTokens, int batchTruncated,
      long inferenceNanos) {
    rows.add(batchRows);
    realTokens.add(batchRealTokens);
    paddedTokens.add(batchPaddedTokens);
    truncatedRows.add(batchTruncated);
    batches.add(1);
    inferenceMicros.add(inferenceNanos / 1_000);
  }

  @Override
  public void batchSplit() {
    oomSplits.add(1);
  }

  @Override
  public void failedRows(int count) {
    failedRows.add(count);
    rows.add(count);
  }

  @Override
  public void duplicateRows(int count, int truncated) {
    duplicateRows.add(count);
    truncatedRows.add(truncated);
    rows.add(count);
  }

  /** A task of this transform created its JVM's session (the model was loaded there). */
  @Override
  public void modelLoaded() {
    modelLoads.add(1);
  }

  @Override
  public void cpuFallback() {
    cpuFallbacks.add(1);
  }

  /** The totals so far as the driver sees them (merged from finished tasks). */
  public EmbeddingMetrics value() {
    return new EmbeddingMetrics(rows.value(), nullRows.value(), realTokens.value(), paddedTokens.value(),
        truncatedRows.value(), batches.value(), inferenceMicros.value(), oomSplits.value(), failedRows.value(),
        modelLoads.value(), cpuFallbacks.value(), duplicateRows.value());
  }
}
