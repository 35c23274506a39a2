package org.kluespark.job;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Prints the tracker's progress line to stderr on a daemon thread, every interval, until closed. */
final class ProgressReporter implements AutoCloseable {
  private final ProgressTracker tracker;
  private final PrintWriter err;
  private final ScheduledExecutorService scheduler;

  private ProgressReporter(ProgressTracker tracker, PrintWriter err, ScheduledExecutorService scheduler) {
    this.tracker = tracker;
    this.err = err;
    this.scheduler = scheduler;
  }

  /** Starts reporting; a zero interval reports nothing. */
  static ProgressReporter start(ProgressTracker tracker, Duration interval, PrintWriter err) {
    if (interval.isZero()) {
      return new ProgressReporter(tracker, err, null);
    }
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "kluespark-progress");
      thread.setDaemon(true); // never keeps the JVM alive
      return thread;
    });
    ProgressReporter reporter = new ProgressReporter(tracker, err, scheduler);
    long millis = Math.max(1, interval.toMillis());
    scheduler.scheduleAtFixedRate(reporter::reportNow, millis, millis, TimeUnit.MILLISECONDS);
    return reporter;
  }

  /** Prints one progress line, once the run's first stage has started. */
  void reportNow() {
    Progress progress = tracker.snapshot();
    if (progress.started()) {
      err.println(progress.line());
      err.flush();
    }
  }

  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }
}
