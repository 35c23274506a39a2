package org.kluespark.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
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
import org.kluespark.inference.SessionCache;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import scala.collection.JavaConverters;

class EmbeddingMetricsTest {

  @Test
  void derivedFiguresAndSummary() {
    EmbeddingMetrics metrics = new EmbeddingMetrics(3000, 2, 120_345, 130_000, 359, 94, 35_200_000, 0);
    assertThat(metrics.paddingEfficiency()).isEqualTo(120_345 / 130_000.0);
    assertThat(metrics.summary()).isEqualTo("3000 rows (2 null), 359 truncated at maxSeqLength (12.0%), 94 batches, "
        + "padding efficiency 92.6% (120345 real / 130000 padded tokens), inference 35.2 s");
    assertThat(new EmbeddingMetrics(3000, 2, 120_345, 130_000, 359, 94, 35_200_000, 0, 0, 2).summary())
        .isEqualTo(metrics.summary() + ", 2 model loads");
    assertThat(new EmbeddingMetrics(1, 0, 1, 1, 0, 1, 0, 0, 0, 1).summary()).endsWith("inference 0.0 s, 1 model load");
    assertThat(new EmbeddingMetrics(4, 0, 1, 1, 0, 1, 0, 0, 3, 1).summary())
        .endsWith("inference 0.0 s, 3 row(s) failed (null outputs, reason in errorCol), 1 model load");
    assertThat(new EmbeddingMetrics(4, 0, 1, 1, 0, 1, 0, 0, 0, 1, 2).summary()).endsWith("inference 0.0 s, "
        + "1 model load, 2 task(s) ran on the CPU because the CUDA provider failed (device=auto; see the executor log)");
    assertThat(EmbeddingMetrics.fromAccumulators(Map.of(EmbeddingCounters.CPU_FALLBACKS, 3L)).cpuFallbacks())
        .isEqualTo(3);
    assertThat(new EmbeddingMetrics(7038, 0, 256_000, 260_000, 0, 160, 0, 0, 0, 1, 0, 2000).summary())
        .endsWith("inference 0.0 s, 2000 duplicate row(s) served by a copy (not run), 1 model load");
    assertThat(EmbeddingMetrics.fromAccumulators(Map.of(EmbeddingCounters.DUPLICATE_ROWS, 5L)).duplicateRows())
        .isEqualTo(5);
    assertThat(EmbeddingCounters.NAMES).contains("kluespark.duplicateRows");
    assertThat(EmbeddingMetrics.ZERO.paddingEfficiency()).isEqualTo(1.0);
    assertThat(EmbeddingMetrics.ZERO.truncatedFraction()).isZero();
  }

  @Test
  void addsUpByName() {
    EmbeddingMetrics metrics = EmbeddingMetrics.fromAccumulators(Map.of(EmbeddingCounters.ROWS, 5L,
        EmbeddingCounters.BATCHES, 2L, "someone.else", 99L));
    assertThat(metrics.plus(metrics)).isEqualTo(new EmbeddingMetrics(10, 0, 0, 0, 0, 4, 0, 0));
  }

  /**
   * One partition, batchSize 2, maxSeqLength 8: "hello" (3 tokens) and "hello world" (4) share a batch padded
   * to 4; the long text is cut to 8 and runs alone; the null row only counts as a null row.
   */
  @Test
  void theStageCountsRowsTokensPaddingTruncationAndBatches() {
    SparkSession spark = SparkTestSession.get();
    Dataset<Row> input = spark.createDataFrame(List.of(
            RowFactory.create("hello world"), RowFactory.create((Object) null), RowFactory.create("hello"),
            RowFactory.create("one two three four five six seven eight nine ten")),
        new StructType().add("text", DataTypes.StringType)).coalesce(1);
    TextEmbedder stage = new TextEmbedder().setModelPath(TestModels.minilmDir().toString()).setBatchSize(2)
        .setMaxSeqLength(8);

    EmbeddingMetrics metrics = run(stage, input, 4);
    assertThat(metrics.rows()).isEqualTo(4);
    assertThat(metrics.nullRows()).isEqualTo(1);
    assertThat(metrics.realTokens()).isEqualTo(3 + 4 + 8);
    assertThat(metrics.paddedTokens()).isEqualTo(2 * 4 + 8);
    assertThat(metrics.truncatedRows()).isEqualTo(1);
    assertThat(metrics.batches()).isEqualTo(2);
    assertThat(metrics.inferenceMicros()).isPositive();
  }

  /** A fresh JVM cache: the first transform's tasks load the model once between them, later transforms never. */
  @Test
  void modelLoadsCountTheSessionsATransformCreated() {
    SparkSession spark = SparkTestSession.get();
    Dataset<Row> input = spark.createDataFrame(List.of(RowFactory.create("a"), RowFactory.create("b"),
        RowFactory.create("c"), RowFactory.create("d")), new StructType().add("text", DataTypes.StringType))
        .repartition(4);
    TextEmbedder stage = new TextEmbedder().setModelPath(TestModels.minilmDir().toString());
    SessionCache.resetForTesting();

    assertThat(run(stage, input, 4).modelLoads()).isEqualTo(1);
    assertThat(run(stage, input, 4).modelLoads()).isZero();
    assertThat(SessionCache.sessionsCreated()).isEqualTo(1);
  }

  /** The metrics of one transform, added up over its successful tasks as the CLI's listener does. */
  private static EmbeddingMetrics run(TextEmbedder stage, Dataset<Row> input, int expectedRows) {
    SparkSession spark = SparkTestSession.get();
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
    try {
      assertThat(stage.transform(input).collectAsList()).hasSize(expectedRows);
      spark.sparkContext().listenerBus().waitUntilEmpty(60_000);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }
    return total.get();
  }
}
