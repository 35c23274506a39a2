package org.kluespark.job;

import java.util.Locale;
import org.kluespark.metrics.EmbeddingMetrics;

/**
 * What a finished run reports: rows written (from the task metrics), wall time, where the output went, and
 * the stage's counters (truncation, padding, batches, inference time).
 */
record EmbedResult(long rows, double seconds, String output, EmbeddingMetrics metrics) {

  double rowsPerSecond() {
    return seconds > 0 ? rows / seconds : 0;
  }

  /** {@code kluespark: embedded 30 rows in 4.1 s (7.3 rows/s) -> target/quickstart}. */
  String summaryLine() {
    return String.format(Locale.ROOT, "kluespark: embedded %d rows in %.1f s (%.1f rows/s) -> %s", rows, seconds,
        rowsPerSecond(), output);
  }

  /** {@code kluespark: 3000 rows (0 null), 12 truncated at maxSeqLength (0.4%), ...}. */
  String metricsLine() {
    return "kluespark: " + metrics.summary();
  }
}
