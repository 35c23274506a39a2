package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.scheduler.TaskLocation;
import org.apache.spark.storage.RDDInfo;
import org.apache.spark.util.LongAccumulator;
import org.kluespark.stage.TextEmbedder;
import scala.Option;
import scala.Tuple4;
import scala.collection.JavaConverters;
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
  void heartbeatsOfRunningTasksReportTheStagesRowAccumulator() {
    ProgressTracker tracker = new ProgressTracker(System::nanoTime);
    ProgressListener listener = new ProgressListener("run-2", tracker);
    Properties tagged = new Properties();
    tagged.setProperty(ProgressListener.RUN_PROPERTY, "run-2");
    listener.onStageSubmitted(new SparkListenerStageSubmitted(stage(5, 2), tagged));
    listener.onStageSubmitted(new SparkListenerStageSubmitted(stage(6, 1), new Properties()));

    listener.onExecutorMetricsUpdate(heartbeat(
        runningTask(41L, 5, accumulator(TextEmbedder.ROWS_ACCUMULATOR, 64L)),
        runningTask(42L, 5, accumulator("someone.else", 1000L)),
        runningTask(43L, 6, accumulator(TextEmbedder.ROWS_ACCUMULATOR, 500L)))); // not this run's stage

    assertThat(tracker.snapshot().rows()).isEqualTo(64);
  }

  @Test
  void heartbeatsCarryInputBytesByIdOnlyAndTheDriverNamesThem() {
    SparkContext sc = SparkTestSession.get().sparkContext();
    // What executors send: Spark's internal task metrics with an id and no name.
    LongAccumulator bytesRead = sc.longAccumulator(ProgressListener.INPUT_BYTES_READ);
    AccumulableInfo nameless = new AccumulableInfo(bytesRead.id(), Option.empty(), Option.apply(250L),
        Option.apply(250L), true, true, Option.empty());
    assertThat(ProgressListener.nameOf(nameless)).isEqualTo(ProgressListener.INPUT_BYTES_READ);
    assertThat(ProgressListener.nameOf(accumulator("named", 1L))).isEqualTo("named");

    long[] now = {0};
    ProgressTracker tracker = new ProgressTracker(() -> now[0]);
    ProgressListener listener = new ProgressListener("run-3", tracker);
    Properties tagged = new Properties();
    tagged.setProperty(ProgressListener.RUN_PROPERTY, "run-3");
    listener.onStageSubmitted(new SparkListenerStageSubmitted(stage(7, 2), tagged));
    tracker.expectInputBytes(1000);
    now[0] = 10_000_000_000L;
    listener.onExecutorMetricsUpdate(heartbeat(
        new Tuple4<>(51L, 7, 0, scalaList(List.of(accumulator(TextEmbedder.ROWS_ACCUMULATOR, 64L), nameless)))));

    Progress progress = tracker.snapshot();
    assertThat(progress.inputBytesRead()).isEqualTo(250);
    assertThat(progress.etaSeconds()).as("a quarter read in 10 s: 30 s left").isEqualTo(30);
  }

  private static StageInfo stage(int id, int tasks) {
    return new StageInfo(id, 0, "stage " + id, tasks, ProgressListenerTest.<RDDInfo>scalaList(List.of()),
        scalaList(List.of()), "", null, scalaList(List.of()), Option.empty(), 0, false, 0);
  }

  private static AccumulableInfo accumulator(String name, long update) {
    return new AccumulableInfo(1L, Option.apply(name), Option.apply(update), Option.apply(update), false, true,
        Option.empty());
  }

  private static Tuple4<Object, Object, Object, scala.collection.immutable.List<AccumulableInfo>> runningTask(
      long taskId, int stageId, AccumulableInfo info) {
    return new Tuple4<>(taskId, stageId, 0, scalaList(List.of(info)));
  }

  /** Raw Tuple4: its Seq is immutable.Seq on Scala 2.13 and collection.Seq on 2.12 (the Spark 3.5 build). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static SparkListenerExecutorMetricsUpdate heartbeat(Tuple4... tasks) {
    scala.collection.immutable.List accumUpdates = scalaList(List.of(tasks));
    return new SparkListenerExecutorMetricsUpdate("driver", accumUpdates,
        scala.collection.immutable.Map$.MODULE$.empty());
  }

  /** The element type comes from the parameter it is passed to, whichever Scala version's Seq that names. */
  private static <T> scala.collection.immutable.List<T> scalaList(List<T> items) {
    return JavaConverters.asScalaBuffer(items).toList();
  }

  @Test
  void reporterPrintsTheCurrentLineOnceStarted() {
    ProgressTracker tracker = new ProgressTracker(() -> 0L);
    StringWriter err = new StringWriter();
    try (ProgressReporter reporter = ProgressReporter.start(tracker, Duration.ZERO, new PrintWriter(err))) {
      reporter.reportNow();
      assertThat(err.toString()).isEmpty();

      tracker.stageSubmitted(1, 4);
      tracker.taskFinished(1, 10, true, 0, 0);
      reporter.reportNow();
    }
    assertThat(err.toString()).isEqualTo("kluespark: 10 rows, 0.0 rows/s, tasks 1/4, ETA 0:00" + System.lineSeparator());
  }
}
