package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.testing.SparkTestSession;

/** The listener counts the tasks and written rows of its own run's jobs, and only those. */
class ProgressListenerTest {
  @TempDir
  Path tmp;

  @Test
  void countsTheTaggedWriteOnly() {
    SparkSession spark = SparkTestSession.get();
    SparkContext sc = spark.sparkContext();
    ProgressTracker tracker = new ProgressTracker(System::nanoTime);
    ProgressListener listener = new ProgressListener("run-1", tracker);
    sc.addSparkListener(listener);
    try {
      spark.range(0, 50, 1, 2).write().parquet(tmp.resolve("untagged").toString());
      sc.setLocalProperty(ProgressListener.RUN_PROPERTY, "run-1");
      try {
        spark.range(0, 100, 1, 3).write().parquet(tmp.resolve("tagged").toString());
      } finally {
        sc.setLocalProperty(ProgressListener.RUN_PROPERTY, null);
      }
      assertThat(ProgressListener.awaitDelivery(sc)).isTrue();
    } finally {
      sc.removeSparkListener(listener);
    }

    Progress progress = tracker.snapshot();
    assertThat(tracker.rowsWritten()).isEqualTo(100);
    assertThat(progress.finishedTasks()).isEqualTo(3);
    assertThat(progress.totalTasks()).isEqualTo(3);
  }

  @Test
  void reporterPrintsTheCurrentLineOnceStarted() {
    ProgressTracker tracker = new ProgressTracker(() -> 0L);
    StringWriter err = new StringWriter();
    try (ProgressReporter reporter = ProgressReporter.start(tracker, Duration.ZERO, new PrintWriter(err))) {
      reporter.reportNow();
      assertThat(err.toString()).isEmpty();

      tracker.stageSubmitted(4);
      tracker.taskFinished(10, 10);
      reporter.reportNow();
    }
    assertThat(err.toString()).isEqualTo("kluespark: 10 rows, 0.0 rows/s, tasks 1/4, ETA 0:00" + System.lineSeparator());
  }
}
