package org.kluespark.job;

import java.util.Locale;

/** A point-in-time view of a run, and its one-line rendering on stderr. */
record Progress(boolean started, long rows, double elapsedSeconds, int finishedTasks, int totalTasks,
    boolean estimable, long expectedRows, long inputBytesRead, long inputBytesTotal) {
  static final Progress NOT_STARTED = new Progress(false, 0, 0, 0, 0, false, 0, 0, 0);

  double rowsPerSecond() {
    return elapsedSeconds > 0 ? rows / elapsedSeconds : 0;
  }

  /**
   * Seconds left: from the rows left when the total is known; else from the input bytes left, when the
   * embedding tasks read the input files themselves (a few large tasks then still get an ETA long before the
   * first one finishes); else assuming the remaining tasks take as long as the finished ones did; -1 before
   * any of these is known.
   */
  long etaSeconds() {
    if (expectedRows > 0 && rows > 0) { // known row total (a spread input): rows left at the current rate
      return Math.round(Math.max(0, expectedRows - rows) / rowsPerSecond());
    }
    if (estimable && inputBytesTotal > 0 && inputBytesRead > 0 && elapsedSeconds > 0) {
      double read = Math.min(inputBytesRead, inputBytesTotal);
      return Math.round(elapsedSeconds * (inputBytesTotal - read) / read);
    }
    if (!estimable || finishedTasks == 0) {
      return -1;
    }
    int remaining = Math.max(0, totalTasks - finishedTasks);
    return Math.round(elapsedSeconds * remaining / finishedTasks);
  }

  /** {@code kluespark: 1234 rows, 56.7 rows/s, tasks 3/8, ETA 0:42}. */
  String line() {
    long eta = etaSeconds();
    return String.format(Locale.ROOT, "kluespark: %d rows, %.1f rows/s, tasks %d/%d, ETA %s", rows, rowsPerSecond(),
        finishedTasks, totalTasks, eta < 0 ? "?" : clock(eta));
  }

  /** m:ss, or h:mm:ss from an hour on. */
  static String clock(long seconds) {
    long hours = seconds / 3600;
    long minutes = seconds % 3600 / 60;
    long secs = seconds % 60;
    return hours > 0
        ? String.format(Locale.ROOT, "%d:%02d:%02d", hours, minutes, secs)
        : String.format(Locale.ROOT, "%d:%02d", minutes, secs);
  }
}
