package org.kluespark.job;

import java.util.function.LongSupplier;

/**
 * Counts what a run has done so far: tasks submitted and finished, rows written and read. Pure arithmetic
 * with an injected clock, so rates and ETAs are testable without Spark or sleeping. Thread-safe: Spark's
 * listener thread updates it while the progress thread reads it.
 */
final class ProgressTracker {
  private final LongSupplier nanoClock;
  private long startNanos = -1;
  private int totalTasks;
  private int finishedTasks;
  private long rowsWritten;
  private long rowsRead;

  ProgressTracker(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  /** A stage of the run started; the clock starts with the first one. */
  synchronized void stageSubmitted(int numTasks) {
    if (startNanos < 0) {
      startNanos = nanoClock.getAsLong();
    }
    totalTasks += numTasks;
  }

  /** A task finished successfully with these record counts. */
  synchronized void taskFinished(long recordsWritten, long recordsRead) {
    finishedTasks++;
    rowsWritten += recordsWritten;
    rowsRead += recordsRead;
  }

  synchronized long rowsWritten() {
    return rowsWritten;
  }

  synchronized Progress snapshot() {
    if (startNanos < 0) {
      return Progress.NOT_STARTED;
    }
    double elapsedSeconds = (nanoClock.getAsLong() - startNanos) / 1e9;
    // Rows written is what the user cares about; stages that write nothing (a shuffle) still read rows.
    long rows = rowsWritten > 0 ? rowsWritten : rowsRead;
    return new Progress(true, rows, elapsedSeconds, finishedTasks, totalTasks);
  }
}
