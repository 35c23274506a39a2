package org.kluespark.measure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.metrics.EmbeddingMetrics;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.testing.SparkTestSession;
import scala.collection.JavaConverters;

/**
 * A measurement, not a test (runs only with KLUESPARK_MEASURE_REUSE=1): the TextEmbedder stage (MiniLM,
 * local[2], batch 32, Parquet in and out as the benchmark harness's {@code stage}) on the 7,038 KLUE STS + NLI
 * dev sentences as the files have them (STS sentence1/sentence2, then NLI premise/hypothesis: every NLI
 * premise three times, 2,000 repeats), with reuseDuplicates on and off, alternating, after one warm-up run.
 *
 * <pre>KLUESPARK_MEASURE_REUSE=1 KLUESPARK_KLUE_DIR=/path/to/klue ./mvnw -B -o -q -pl udfs test \
 *     -Dtest=ReuseThroughputMeasurement -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@EnabledIfEnvironmentVariable(named = "KLUESPARK_MEASURE_REUSE", matches = "1")
class ReuseThroughputMeasurement {
  private static final int RUNS = 3;

  @TempDir
  Path tmp;

  @Test
  void stageThroughputWithAndWithoutReuse() throws IOException {
    String dir = System.getenv().getOrDefault("KLUESPARK_KLUE_DIR",
        org.kluespark.testing.TestModels.sharedKlue().toString());
    List<Row> rows = new ArrayList<>();
    addFields(Path.of(dir, "klue-sts-v1.1_dev.json"), rows, "sentence1", "sentence2");
    addFields(Path.of(dir, "klue-nli-v1.1_dev.json"), rows, "premise", "hypothesis");
    SparkSession spark = SparkTestSession.get();
    Path input = tmp.resolve("klue.parquet");
    // Two contiguous partitions of the rows in file order (a local relation is split in ranges), one file each.
    spark.createDataFrame(rows, new StructType().add("id", DataTypes.IntegerType).add("text", DataTypes.StringType))
        .write().parquet(input.toString());
    System.out.printf(Locale.ROOT, "REUSE-MEASURE %d rows, %d distinct, %d input partitions%n", rows.size(),
        rows.stream().map(r -> r.getString(1)).distinct().count(),
        spark.read().parquet(input.toString()).rdd().getNumPartitions());

    run(spark, input, true, -1); // warm-up: the session, the tokenizer, the JIT
    double[][] rate = new double[2][RUNS];
    for (int r = 0; r < RUNS; r++) {
      for (int mode = 0; mode < 2; mode++) {
        rate[mode][r] = run(spark, input, mode == 0, r);
      }
    }
    for (int mode = 0; mode < 2; mode++) {
      double[] sorted = rate[mode].clone();
      Arrays.sort(sorted);
      System.out.printf(Locale.ROOT, "REUSE-MEASURE reuse=%s median %.1f sentences/s (%.1f-%.1f)%n", mode == 0,
          sorted[RUNS / 2], sorted[0], sorted[RUNS - 1]);
    }
  }

  private double run(SparkSession spark, Path input, boolean reuse, int runIndex) {
    Dataset<Row> in = spark.read().parquet(input.toString());
    TextEmbedder stage = new TextEmbedder().setModelPath("minilm").setPooling("mean").setBatchSize(32)
        .setReuseDuplicates(reuse);
    AtomicReference<EmbeddingMetrics> total = new AtomicReference<>(EmbeddingMetrics.ZERO);
    SparkListener listener = new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
        if (taskEnd.taskInfo().successful()) {
          total.accumulateAndGet(EmbeddingMetrics.fromTaskAccumulables(
              JavaConverters.seqAsJavaList(taskEnd.taskInfo().accumulables())), EmbeddingMetrics::plus);
        }
      }
    };
    spark.sparkContext().addSparkListener(listener);
    long started = System.nanoTime();
    stage.transform(in).write().mode("overwrite").parquet(tmp.resolve("out-" + reuse).toString());
    double seconds = (System.nanoTime() - started) / 1e9;
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty(60_000);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    }
    spark.sparkContext().removeSparkListener(listener);
    long rows = in.count();
    System.out.printf(Locale.ROOT, "REUSE-MEASURE run %d reuse=%s: %.2f s, %.1f sentences/s; %s%n", runIndex, reuse,
        seconds, rows / seconds, total.get().summary());
    return rows / seconds;
  }

  private static void addFields(Path file, List<Row> out, String... fields) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(file + " is absent: set KLUESPARK_KLUE_DIR to the directory of the KLUE dev sets");
    }
    for (JsonNode record : new ObjectMapper().readTree(file.toFile())) {
      for (String field : fields) {
        out.add(RowFactory.create(out.size(), record.get(field).asText()));
      }
    }
  }
}
