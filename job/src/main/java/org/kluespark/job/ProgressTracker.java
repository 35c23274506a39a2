package org.kluespark.job;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.kluespark.metrics.EmbeddingMetrics;

/**
 * Counts what a run has done so far. Pure arithmetic with an injected clock, so rates and ETAs are testable
 * without Spark or sleeping. Thread-safe: Spark's listener thread updates it while the progress thread reads.
 *
 * <p>Rows are rows embedded: what finished tasks wrote plus what running tasks reported in heartbeats. The
 * ETA counts only the tasks of stages that embed (those reporting the stage's row accumulator), so the quick
 * sampling and shuffle stages of a spread input do not make the estimate optimistic.
 */
final class ProgressTracker {
  private final LongSupplier nanoClock;
  private long startNanos = -1;
  private final Map<Integer, Integer> tasksByStage = new HashMap<>();
  private final Set<Integer> embeddingStages = new HashSet<>();
  private final Map<Integer, Integer> finishedByStage = new HashMap<>();
  private final Map<Long, Long> runningRows = new HashMap<>();
  private long rowsWritten;
  private EmbeddingMetrics metrics = EmbeddingMetrics.ZERO;
  private long shuffledRows; // rows a shuffle hands to the embedding stage (a spread input): the row total
  private long inputBytesTotal; // size of the input files, when known
  private long inputBytesFinished; // bytes read by finished embedding tasks
  private final Map<Long, Long> runningBytes = new HashMap<>();

  ProgressTracker(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  /** A stage of the run started; the clock starts with the first one. */
  synchronized void stageSubmitted(int stageId, int numTasks) {
    if (startNanos < 0) {
      startNanos = nanoClock.getAsLong();
    }
    tasksByStage.merge(stageId, numTasks, Integer::sum);
  }

  /** The input files' total size, for an ETA from the bytes the embedding tasks have read. */
  synchronized void expectInputBytes(long bytes) {
    inputBytesTotal = bytes;
  }

  /** A running task of an embedding stage reported having read {@code bytes} input bytes so far. */
  synchronized void taskInputProgress(long taskId, long bytes) {
    runningBytes.put(taskId, bytes);
  }

  /** A running task of {@code stageId} reported having embedded {@code rows} rows so far. */
  synchronized void taskProgress(int stageId, long taskId, long rows) {
    embeddingStages.add(stageId);
    runningRows.put(taskId, rows);
  }

  /** A task ended (any outcome): its partial count goes; a success then reports with {@link #taskFinished}. */
  synchronized void taskEnded(long taskId) {
    runningRows.remove(taskId);
    runningBytes.remove(taskId);
  }

  /**
   * A task finished successfully.
   *
   * @param embedded whether it ran the embedding stage (its accumulators held the row counter)
   * @param shuffleRecordsWritten rows it handed to a later stage through a shuffle
   * @param inputBytesRead input file bytes it read
   */
  synchronized void taskFinished(int stageId, long recordsWritten, boolean embedded, long shuffleRecordsWritten,
      long inputBytesRead) {
    if (embedded) {
      embeddingStages.add(stageId);
      inputBytesFinished += inputBytesRead;
    } else {
      shuffledRows += shuffleRecordsWritten;
    }
    finishedByStage.merge(stageId, 1, Integer::sum);
    rowsWritten += recordsWritten;
  }

  /** A successful task's share of the stage's counters. */
  synchronized void addMetrics(EmbeddingMetrics taskMetrics) {
    metrics = metrics.plus(taskMetrics);
  }

  synchronized EmbeddingMetrics metrics() {
    return metrics;
  }

  synchronized long rowsWritten() {
    return rowsWritten;
  }

  synchronized Progress snapshot() {
    if (startNanos < 0) {
      return Progress.NOT_STARTED;
    }
    double elapsedSeconds = (nanoClock.getAsLong() - startNanos) / 1e9;
    long rows = rowsWritten;
    for (long partial : runningRows.values()) {
      rows += partial;
    }
    // Until an embedding stage is known every stage's tasks are shown, but no ETA is derived from them.
    boolean estimable = !embeddingStages.isEmpty();
    Set<Integer> counted = estimable ? embeddingStages : tasksByStage.keySet();
    int total = 0;
    int finished = 0;
    for (int stage : counted) {
      total += tasksByStage.getOrDefault(stage, 0);
      finished += finishedByStage.getOrDefault(stage, 0);
    }
    long bytesRead = inputBytesFinished;
    for (long partial : runningBytes.values()) {
      bytesRead += partial;
    }
    return new Progress(true, rows, elapsedSeconds, finished, total, estimable, shuffledRows, bytesRead,
        inputBytesTotal);
  }
}
