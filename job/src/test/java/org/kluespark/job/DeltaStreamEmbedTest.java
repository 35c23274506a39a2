package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kluespark.testing.StreamingQueries.awaitFirstCommittedBatch;
import static org.kluespark.testing.StreamingQueries.inputRows;
import static org.kluespark.testing.StreamingQueries.maxAbsAgainstBatch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;

/**
 * A Delta table as a streaming source, through the stage, into a Delta sink with a checkpoint: rows appended
 * to the source in several commits are each embedded exactly once across a stop and a restart, and a run with
 * nothing new adds nothing. Here rather than in the tests module because Delta is on this module's classpath
 * on both Spark lines (delta-spark 4.0 on Spark 4.0, 3.3 on Spark 3.5).
 */
class DeltaStreamEmbedTest {
  private static final StructType SCHEMA = new StructType().add("id", DataTypes.IntegerType)
      .add("text", DataTypes.StringType);
  private static final int ROWS_PER_COMMIT = 6;
  private static final int FIRST_COMMITS = 3;
  private static final int LATER_COMMITS = 2;
  private static final int TOTAL_ROWS = (FIRST_COMMITS + LATER_COMMITS) * ROWS_PER_COMMIT;

  @TempDir Path tmp;

  @Test
  void deltaSourceCommitsAreEmbeddedIntoADeltaSinkExactlyOnceAcrossAStopAndARestart() throws Exception {
    SparkSession spark = SparkTestSession.get();
    List<String> sentences = Files.readAllLines(TestModels.repoRoot().resolve("datasets/sentences.txt"));
    String source = tmp.resolve("source").toString();
    String sink = tmp.resolve("sink").toString();
    String checkpoint = tmp.resolve("checkpoint").toString();
    for (int commit = 0; commit < FIRST_COMMITS; commit++) {
      append(spark, source, commit, sentences);
    }

    // First run: a processing-time query reading one source commit per micro-batch, stopped once its first
    // micro-batch has committed to the sink (the stop may cut the next one short).
    StreamingQuery first = start(spark, source, sink, checkpoint, Trigger.ProcessingTime(0));
    awaitFirstCommittedBatch(first);
    first.stop();
    assertThat(first.exception().isEmpty()).as("first run failed: %s", first.exception()).isTrue();
    long beforeRestart = spark.read().format("delta").load(sink).count();
    assertThat(beforeRestart).as("rows in the sink after the stop, whole commits only")
        .isBetween((long) ROWS_PER_COMMIT, (long) FIRST_COMMITS * ROWS_PER_COMMIT)
        .matches(rows -> rows % ROWS_PER_COMMIT == 0, "a multiple of " + ROWS_PER_COMMIT);

    for (int commit = FIRST_COMMITS; commit < FIRST_COMMITS + LATER_COMMITS; commit++) {
      append(spark, source, commit, sentences);
    }
    StreamingQuery second = start(spark, source, sink, checkpoint, Trigger.AvailableNow());
    assertThat(second.awaitTermination(TimeUnit.MINUTES.toMillis(3))).as("AvailableNow run finished").isTrue();
    assertThat(second.exception().isEmpty()).as("restarted run failed: %s", second.exception()).isTrue();
    long uncommitted = TOTAL_ROWS - beforeRestart;
    // A stop between the sink's commit and the query's own replays that micro-batch: the Delta sink skips it
    // (it records each batch id in its log), so the rows are read again but not written twice.
    assertThat(inputRows(second.recentProgress())).as("rows read by the restarted run")
        .isIn(uncommitted, uncommitted + ROWS_PER_COMMIT);

    long sinkVersion = latestVersion(spark, sink);
    StreamingQuery third = start(spark, source, sink, checkpoint, Trigger.AvailableNow());
    assertThat(third.awaitTermination(TimeUnit.MINUTES.toMillis(3))).as("AvailableNow run finished").isTrue();
    assertThat(inputRows(third.recentProgress())).as("rows read by a run with nothing new").isZero();
    assertThat(latestVersion(spark, sink)).as("sink version after a run with nothing new").isEqualTo(sinkVersion);

    List<Row> streamed = spark.read().format("delta").load(sink).orderBy("id").collectAsList();
    List<Row> batch = embedder().transform(spark.read().format("delta").load(source)).orderBy("id")
        .collectAsList();
    double maxAbs = maxAbsAgainstBatch(streamed, batch, TOTAL_ROWS);
    System.out.printf("DeltaStreamEmbedTest: %d rows in %d source commits, %d in the sink before the restart, "
        + "max-abs vs batch %.3g%n", TOTAL_ROWS, FIRST_COMMITS + LATER_COMMITS, beforeRestart, maxAbs);
    assertThat(maxAbs).as("streamed vs batch vectors, max-abs").isZero();
  }

  /**
   * batchSize 1: each row runs alone, unpadded, in the stream and in the batch run alike, so the vectors are
   * bit-identical however the rows fall into micro-batches (padded batches of other neighbours differ in
   * float rounding).
   */
  private static TextEmbedder embedder() {
    return new TextEmbedder().setModelPath(TestModels.minilmDir().toString()).setInputCol("text").setBatchSize(1);
  }

  private static StreamingQuery start(SparkSession spark, String source, String sink, String checkpoint,
      Trigger trigger) throws TimeoutException {
    Dataset<Row> stream = spark.readStream().format("delta").option("maxFilesPerTrigger", 1).load(source);
    assertThat(stream.isStreaming()).isTrue();
    return embedder().transform(stream).writeStream().format("delta").outputMode("append")
        .option("checkpointLocation", checkpoint).trigger(trigger).start(sink);
  }

  /** One Delta commit (one file) of rows {@code commit*6 ..}, one of them with a null text. */
  private static void append(SparkSession spark, String source, int commit, List<String> sentences) {
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < ROWS_PER_COMMIT; r++) {
      int id = commit * ROWS_PER_COMMIT + r;
      rows.add(RowFactory.create(id, r == 2 ? null : sentences.get(id % sentences.size())));
    }
    spark.createDataFrame(rows, SCHEMA).coalesce(1).write().format("delta").mode("append").save(source);
  }

  private static long latestVersion(SparkSession spark, String table) {
    return spark.sql("DESCRIBE HISTORY delta.`" + table + "`").selectExpr("max(version)").first().getLong(0);
  }
}
