package org.kluespark.job;

import java.util.Locale;
import org.kluespark.metrics.EmbeddingMetrics;

/**
 * What an incremental run reports: rows its commit added (from Delta's commit metrics, so a row another run added
 * in the meantime is not counted), input rows that were in the table already, and the table version after the run
 * (unchanged when nothing was new: such a run commits nothing).
 */
record IncrementalResult(long newRows, long alreadyEmbedded, long version, boolean committed, double seconds,
    String target, EmbeddingMetrics metrics) {

  /** {@code kluespark: 30 new rows, 40 already embedded, in 4.1 s -> --output target/x (Delta version 2)}. */
  String summaryLine() {
    return String.format(Locale.ROOT, "kluespark: %d new rows, %d already embedded, in %.1f s -> %s (Delta version "
        + "%d%s)", newRows, alreadyEmbedded, seconds, target, version, committed ? "" : ", unchanged");
  }

  String metricsLine() {
    return "kluespark: " + metrics.summary();
  }
}
