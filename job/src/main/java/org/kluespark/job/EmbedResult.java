package org.kluespark.job;

import java.util.Locale;

/** What a finished run reports: rows written (from the task metrics), wall time and where the output went. */
record EmbedResult(long rows, double seconds, String output) {

  double rowsPerSecond() {
    return seconds > 0 ? rows / seconds : 0;
  }

  /** {@code kluespark: embedded 30 rows in 4.1 s (7.3 rows/s) -> target/quickstart}. */
  String summaryLine() {
    return String.format(Locale.ROOT, "kluespark: embedded %d rows in %.1f s (%.1f rows/s) -> %s", rows, seconds,
        rowsPerSecond(), output);
  }
}
