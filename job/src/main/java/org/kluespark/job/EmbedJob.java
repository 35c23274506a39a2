package org.kluespark.job;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.UUID;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.kluespark.stage.TextEmbedder;

/**
 * One embed run: apply the stage to the input, write the output path or table, with progress on stderr. The row
 * count comes from the write's task metrics, so the data is never read twice.
 */
final class EmbedJob {
  private final SparkSession spark;
  private final PrintWriter err;
  private final Duration progressInterval;

  EmbedJob(SparkSession spark, PrintWriter err, Duration progressInterval) {
    this.spark = spark;
    this.err = err;
    this.progressInterval = progressInterval;
  }

  EmbedResult run(Dataset<Row> rows, Integer partitions, TextEmbedder embedder, OutputTarget output) {
    long start = System.nanoTime();
    // Columns, model and output layout are checked before any Spark job runs.
    output.requireWritable(spark, embedder.transformSchema(rows.schema()));
    Dataset<Row> embedded = embedder.transform(
        InputSpreader.spread(rows, partitions, spark.sparkContext().defaultParallelism(), err));
    return tracked(rows, output.toString(), start, () -> output.write(spark, embedded));
  }

  /**
   * Runs {@code write} (which embeds {@code input}) with progress lines and counts its rows from the task metrics.
   * {@code start} is the run's start, from {@link System#nanoTime()}.
   */
  EmbedResult tracked(Dataset<Row> input, String output, long start, Runnable write) {
    SparkContext sc = spark.sparkContext();
    ProgressTracker tracker = new ProgressTracker(System::nanoTime);
    tracker.expectInputBytes(InputSize.bytes(input, sc.hadoopConfiguration()));
    ProgressListener listener = new ProgressListener(UUID.randomUUID().toString(), tracker);
    sc.addSparkListener(listener);
    try {
      writeTagged(sc, listener.runId(), tracker, write);
      if (!ProgressListener.awaitDelivery(sc)) {
        err.println("kluespark: Spark's event queue did not drain in time; the row count below may be short.");
      }
    } finally {
      sc.removeSparkListener(listener);
    }
    return new EmbedResult(tracker.rowsWritten(), (System.nanoTime() - start) / 1e9, output,
        tracker.metrics());
  }

  /** Runs the write with this run's id as a local property, so the listener counts its jobs and no others. */
  private void writeTagged(SparkContext sc, String runId, ProgressTracker tracker, Runnable write) {
    String previousRun = sc.getLocalProperty(ProgressListener.RUN_PROPERTY);
    sc.setLocalProperty(ProgressListener.RUN_PROPERTY, runId);
    ProgressReporter reporter = ProgressReporter.start(tracker, progressInterval, err);
    try {
      write.run();
    } finally {
      reporter.close();
      sc.setLocalProperty(ProgressListener.RUN_PROPERTY, previousRun);
    }
  }
}
