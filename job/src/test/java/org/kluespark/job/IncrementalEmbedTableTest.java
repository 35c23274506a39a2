package org.kluespark.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.tables.DeltaTable;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;

/**
 * {@link IncrementalEmbed} into catalog tables (the session's, in a temporary warehouse): a run whose task fails
 * part way commits nothing and the next run completes the table exactly once; two runs started together in one JVM
 * add each id once; a table that is not Delta is refused.
 */
class IncrementalEmbedTableTest {
  private static final String FAILING_GUID = "klue-sts-sample-25";

  private static SparkSession spark;
  private static Dataset<Row> sts;

  @BeforeAll
  static void readInput() {
    spark = SparkTestSession.get();
    sts = spark.read().json(TestModels.repoRoot().resolve("datasets/klue-sts-sample.jsonl").toString()).cache();
    assertThat(sts.count()).isEqualTo(30);
  }

  @Test
  void aRunThatFailsPartWayLeavesTheTableAsItWasAndTheNextRunCompletesIt() {
    DeltaTarget table = DeltaTarget.table("incremental_failing");
    IncrementalResult first = run(firstRows(12), table);
    assertThat(first.newRows()).isEqualTo(12);
    long version = version("incremental_failing");

    // sentence1 goes through a UDF that throws on one row: the embedding tasks fail, after the id checks (which
    // read the id column only) passed and while other rows were being embedded and written.
    UserDefinedFunction failOnOneRow = udf((UDF2<String, String, String>) (guid, text) -> {
      if (FAILING_GUID.equals(guid)) {
        throw new IllegalStateException("injected failure on " + guid);
      }
      return text;
    }, DataTypes.StringType);
    Dataset<Row> failing = sts.withColumn("sentence1", failOnOneRow.apply(col("guid"), col("sentence1")));
    assertThatThrownBy(() -> run(failing, table)).hasStackTraceContaining("injected failure on " + FAILING_GUID);

    assertThat(version("incremental_failing")).as("no commit").isEqualTo(version);
    assertThat(spark.table("incremental_failing").count()).isEqualTo(12);

    IncrementalResult completed = run(sts, table);
    assertThat(completed.newRows()).isEqualTo(18);
    assertThat(completed.alreadyEmbedded()).isEqualTo(12);
    assertThat(completed.version()).isEqualTo(version + 1);
    assertEveryIdOnce("incremental_failing");
  }

  /**
   * Two runs of one JVM commit one at a time (IncrementalEmbed's commit lock), so the later MERGE finds the ids the
   * earlier one added and commits nothing. Runs on separate drivers rely on Delta's conflict check instead (a
   * ConcurrentAppendException for the later commit), which this test does not reach.
   */
  @Test
  void twoRunsAtOnceAddEachIdOnce() throws Exception {
    DeltaTarget table = DeltaTarget.table("incremental_racing");
    run(firstRows(12), table);
    CompletableFuture<IncrementalResult> a = CompletableFuture.supplyAsync(() -> run(sts, table));
    CompletableFuture<IncrementalResult> b = CompletableFuture.supplyAsync(() -> run(sts, table));
    long added = 0;
    for (CompletableFuture<IncrementalResult> result : List.of(a, b)) {
      try {
        added += result.get().newRows();
      } catch (ExecutionException e) { // Delta refused the later commit: it read ids the other run then added
        assertThat(e).hasStackTraceContaining("Concurrent");
      }
    }
    assertThat(added).isEqualTo(18);
    assertEveryIdOnce("incremental_racing");
  }

  @Test
  void aTableThatIsNotDeltaIsRefused() {
    sts.select("guid", "sentence1").write().format("parquet").saveAsTable("incremental_parquet");
    assertThatThrownBy(() -> run(sts, DeltaTarget.table("incremental_parquet")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--output-table incremental_parquet exists and is not a Delta table.");
  }

  private static IncrementalResult run(Dataset<Row> input, DeltaTarget table) {
    TextEmbedder embedder = new TextEmbedder().setModelPath("minilm").setInputCol("sentence1")
        .setPairCol("sentence2");
    return new IncrementalEmbed(spark, new PrintWriter(new StringWriter()), Duration.ZERO)
        .run(input, embedder, "guid", table, false, 2, java.util.List.of());
  }

  private static Dataset<Row> firstRows(int n) {
    return sts.where(col("guid").isin(IntStream.rangeClosed(1, n).mapToObj(i -> "klue-sts-sample-" + i).toArray()));
  }

  private static long version(String table) {
    return DeltaTable.forName(spark, table).history(1).select("version").head().getLong(0);
  }

  private static void assertEveryIdOnce(String table) {
    List<Row> rows = spark.table(table).collectAsList();
    assertThat(rows).hasSize(30);
    assertThat(IncrementalEmbedTest.vectorsById(rows)).hasSize(30);
  }
}
