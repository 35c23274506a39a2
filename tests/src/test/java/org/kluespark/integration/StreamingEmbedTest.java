package org.kluespark.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kluespark.testing.StreamingQueries.awaitFirstCommittedBatch;
import static org.kluespark.testing.StreamingQueries.inputRows;
import static org.kluespark.testing.StreamingQueries.maxAbsAgainstBatch;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.metrics.EmbeddingMetrics;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The stage on a Structured Streaming DataFrame: JSONL files arrive in an input directory, a file-source
 * query embeds them into a Parquet sink with a checkpoint, is stopped mid-stream, more files arrive, and the
 * restarted query (same checkpoint) finishes the rest. The sink must then hold every input row exactly once,
 * with the vectors a batch run of the same rows gives.
 */
class StreamingEmbedTest {
  private static final StructType SCHEMA = new StructType().add("id", DataTypes.IntegerType)
      .add("text", DataTypes.StringType);
  private static final int ROWS_PER_FILE = 10;
  private static final int FIRST_FILES = 4;
  private static final int LATER_FILES = 2;
  private static final int TOTAL_ROWS = (FIRST_FILES + LATER_FILES) * ROWS_PER_FILE;
  /** Micro-batches pad and sort other rows together than the batch run: only float rounding may differ. */
  private static final double TOLERANCE = 1e-5;

  @TempDir Path tmp;

  @Test
  void fileStreamStoppedMidStreamAndRestartedFromItsCheckpointEmbedsEveryRowOnceLikeABatchRun() throws Exception {
    SparkSession spark = SparkTestSession.get();
    List<String> sentences = Files.readAllLines(TestModels.repoRoot().resolve("datasets/sentences.txt"));
    Path input = Files.createDirectories(tmp.resolve("input"));
    String sink = tmp.resolve("sink").toString();
    String checkpoint = tmp.resolve("checkpoint").toString();
    for (int file = 0; file < FIRST_FILES; file++) {
      writeFile(input, file, sentences);
    }

    // First run: an ordinary processing-time query, stopped once its first micro-batch has committed.
    StreamingQuery first = start(spark, input, sink, checkpoint, Trigger.ProcessingTime(0));
    awaitFirstCommittedBatch(first);
    first.stop();
    assertThat(first.exception().isEmpty()).as("first run failed: %s", first.exception()).isTrue();
    long committedBeforeRestart = spark.read().parquet(sink).count();
    assertThat(committedBeforeRestart).as("stopped mid-stream: at least one file committed, not all of them")
        .isBetween((long) ROWS_PER_FILE, (long) (FIRST_FILES - 1) * ROWS_PER_FILE);

    for (int file = FIRST_FILES; file < FIRST_FILES + LATER_FILES; file++) {
      writeFile(input, file, sentences);
    }
    TaskMetricsListener metrics = new TaskMetricsListener();
    spark.sparkContext().addSparkListener(metrics);
    StreamingQuery second;
    try {
      second = start(spark, input, sink, checkpoint, Trigger.AvailableNow());
      assertThat(second.awaitTermination(TimeUnit.MINUTES.toMillis(3))).as("AvailableNow query finished").isTrue();
      assertThat(second.exception().isEmpty()).as("restarted run failed: %s", second.exception()).isTrue();
      long uncommitted = TOTAL_ROWS - committedBeforeRestart;
      long secondRunInput = inputRows(second.recentProgress());
      // A stop that falls between the sink's commit and the query's own replays that batch; the sink skips it.
      assertThat(secondRunInput).as("rows read by the restarted run")
          .isIn(uncommitted, uncommitted + ROWS_PER_FILE);
      assertThat(second.recentProgress()).as("maxFilesPerTrigger=1: one micro-batch per remaining file")
          .hasSizeGreaterThanOrEqualTo(LATER_FILES + 1);
      // The stage's accumulators count each micro-batch's rows (reported as tasks end, asynchronously).
      assertThat(metrics.awaitRows(second.runId().toString(), secondRunInput))
          .as("kluespark.rowsEmbedded over the restarted run").isEqualTo(secondRunInput);
    } finally {
      spark.sparkContext().removeSparkListener(metrics);
    }

    List<Row> streamed = spark.read().parquet(sink).orderBy("id").collectAsList();
    List<Row> batch = embedder().transform(spark.read().schema(SCHEMA).json(input.toString())).orderBy("id")
        .collectAsList();
    double maxAbs = maxAbsAgainstBatch(streamed, batch, TOTAL_ROWS);
    System.out.printf("StreamingEmbedTest: %d rows, %d committed before the stop, max-abs vs batch run %.3g%n",
        TOTAL_ROWS, committedBeforeRestart, maxAbs);
    assertThat(maxAbs).as("streamed vs batch vectors, max-abs").isLessThanOrEqualTo(TOLERANCE);
  }

  private static TextEmbedder embedder() {
    return new TextEmbedder().setModelPath(TestModels.minilmDir().toString()).setInputCol("text");
  }

  private static StreamingQuery start(SparkSession spark, Path input, String sink, String checkpoint,
      Trigger trigger) throws TimeoutException {
    Dataset<Row> stream = spark.readStream().schema(SCHEMA).option("maxFilesPerTrigger", 1).json(input.toString());
    assertThat(stream.isStreaming()).isTrue();
    return embedder().transform(stream).writeStream().format("parquet").option("path", sink)
        .option("checkpointLocation", checkpoint).trigger(trigger).start();
  }

  /**
   * Input file {@code index}: rows {@code index*10 ..}, one null text per file; written beside the input
   * directory and moved in, so the source never lists a half-written file.
   */
  private static void writeFile(Path input, int index, List<String> sentences) throws IOException {
    ObjectMapper json = new ObjectMapper();
    StringBuilder lines = new StringBuilder();
    for (int r = 0; r < ROWS_PER_FILE; r++) {
      int id = index * ROWS_PER_FILE + r;
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("id", id);
      row.put("text", r == 3 ? null : sentences.get(id % sentences.size()));
      lines.append(json.writeValueAsString(row)).append('\n');
    }
    Path staged = Files.writeString(input.resolveSibling("part-" + index + ".jsonl"), lines);
    Files.move(staged, input.resolve(staged.getFileName()), StandardCopyOption.ATOMIC_MOVE);
  }

  /** Adds up the stage's counters over the successful tasks of each streaming query run. */
  private static final class TaskMetricsListener extends SparkListener {
    /** Structured Streaming puts a query run's jobs in the job group named by its run id (SparkContext.setJobGroup). */
    private static final String RUN_ID_KEY = "spark.jobGroup.id";
    private final Map<Integer, String> runOfStage = new ConcurrentHashMap<>();
    private final Map<String, EmbeddingMetrics> totals = new ConcurrentHashMap<>();

    @Override
    public void onJobStart(SparkListenerJobStart jobStart) {
      String run = jobStart.properties() == null ? null : jobStart.properties().getProperty(RUN_ID_KEY);
      if (run != null) {
        for (Object stage : CollectionConverters.asJava(jobStart.stageIds())) {
          runOfStage.put((Integer) stage, run);
        }
      }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
      String run = runOfStage.get(taskEnd.stageId());
      if (run != null && taskEnd.taskInfo().successful()) {
        totals.merge(run, EmbeddingMetrics.fromTaskAccumulables(
            CollectionConverters.asJava(taskEnd.taskInfo().accumulables())), EmbeddingMetrics::plus);
      }
    }

    long awaitRows(String run, long expected) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (rows(run) < expected && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      return rows(run);
    }

    private long rows(String run) {
      return totals.getOrDefault(run, EmbeddingMetrics.ZERO).rows();
    }
  }
}
