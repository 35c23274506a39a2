package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestRows;

/**
 * {@code embed} with catalog tables and Delta paths, in and out, on the shared session's temporary warehouse
 * (Delta's extension and catalog set, as on Databricks): every row comes out once per run, with the stage's
 * vectors exactly.
 */
class EmbedTablesTest {
  private static final List<String> COLUMNS = List.of("id", "text", "lang", "pooled_output");

  @TempDir
  static Path tmp;

  private static SparkSession spark;
  private static Path deltaInput;
  /** The stage's vector for each id, from an in-memory DataFrame. */
  private static Map<Long, float[]> reference;

  @BeforeAll
  static void writeInputs() throws IOException {
    spark = SparkTestSession.get();
    deltaInput = tmp.resolve("sentences-delta");
    Sentences.write(InputFormat.DELTA, deltaInput, spark);
    Sentences.dataFrame(spark).write().format("delta").saveAsTable("tables_sentences");
    Sentences.dataFrame(spark).write().format("parquet").saveAsTable("tables_sentences_parquet");
    reference = vectorsById(new TextEmbedder().setModelPath("minilm").transform(Sentences.dataFrame(spark)));
  }

  @Test
  void deltaPathInDeltaTableOut() {
    CliRun run = embed("--input", deltaInput.toString(), "--format", "delta", "--output-table", "tables_from_delta",
        "--show", "2");
    assertSucceeded(run, "table tables_from_delta (delta)");
    assertThat(run.out()).as("--show reads the table").contains("| pooled_output=[").contains("(384)");
    assertThat(TableNames.provider(spark, "tables_from_delta")).as("Delta is the table default").isEqualTo("delta");
    assertEmbeddedOnce(spark.table("tables_from_delta"));
  }

  @Test
  void tableInDeltaPathOut() {
    Path output = tmp.resolve("from-table-delta");
    CliRun run = embed("--input-table", "tables_sentences", "--output", output.toString(), "--output-format", "delta");
    assertSucceeded(run, output + " (delta)");
    assertThat(output.resolve("_delta_log")).isDirectory();
    assertEmbeddedOnce(spark.read().format("delta").load(output.toString()));
  }

  @Test
  void parquetTableInParquetTableOut() {
    CliRun run = embed("--input-table", "tables_sentences_parquet", "--output-table", "tables_parquet_out",
        "--output-format", "parquet");
    assertSucceeded(run, "table tables_parquet_out (parquet)");
    assertThat(TableNames.provider(spark, "tables_parquet_out")).isEqualTo("parquet");
    assertEmbeddedOnce(spark.table("tables_parquet_out"));
  }

  @Test
  void qualifiedTableNames() {
    spark.sql("CREATE DATABASE IF NOT EXISTS tables_lake");
    spark.table("tables_sentences").write().format("delta").saveAsTable("tables_lake.sentences");
    CliRun run = embed("--input-table", "tables_lake.sentences", "--output-table", "tables_lake.embedded");
    assertSucceeded(run, "table tables_lake.embedded (delta)");
    assertThat(spark.catalog().tableExists("tables_lake", "embedded")).isTrue();
    assertEmbeddedOnce(spark.table("tables_lake.embedded"));
  }

  @Test
  void appendTwiceGivesEveryRowTwiceAndOverwriteOnce() {
    for (int i = 0; i < 2; i++) {
      assertSucceeded(embed("--input-table", "tables_sentences", "--output-table", "tables_appended", "--mode",
          "append"), "table tables_appended (delta)");
    }
    Dataset<Row> twice = spark.table("tables_appended");
    assertThat(twice.count()).isEqualTo(2L * Sentences.ALL.size());
    assertThat(twice.groupBy("id").count().filter("count != 2").count()).as("each id twice").isZero();
    for (Row row : twice.collectAsList()) {
      assertSameVector(row);
    }

    assertSucceeded(embed("--input-table", "tables_sentences", "--output-table", "tables_appended", "--mode",
        "overwrite"), "table tables_appended (delta)");
    assertEmbeddedOnce(spark.table("tables_appended"));

    // Overwriting replaces the columns too, and keeps the table's partitioning (another one is refused).
    assertSucceeded(embed("--input-table", "tables_sentences", "--output-table", "tables_appended", "--mode",
        "overwrite", "--error-col", "why"), "table tables_appended (delta)");
    assertThat(spark.table("tables_appended").columns()).containsExactly("id", "text", "lang", "pooled_output", "why");
    CliRun repartition = embed("--input-table", "tables_sentences", "--output-table", "tables_appended", "--mode",
        "overwrite", "--partition-by", "lang");
    assertThat(repartition.exitCode()).as(repartition.printed()).isEqualTo(2);
    assertThat(repartition.err()).contains("--mode overwrite keeps --output-table tables_appended's partitioning []; "
        + "--partition-by lang would change it.");
    Row detail = spark.sql("DESCRIBE DETAIL tables_appended").first();
    assertThat(detail.getList(detail.fieldIndex("partitionColumns"))).isEmpty();
  }

  @Test
  void appendToADeltaPathAndAParquetTableKeepsTheirFormat() {
    Path output = tmp.resolve("appended-delta");
    for (int i = 0; i < 2; i++) {
      assertSucceeded(embed("--input-table", "tables_sentences", "--output", output.toString(), "--output-format",
          "delta", "--mode", "append"), output + " (delta)");
    }
    assertThat(spark.read().format("delta").load(output.toString()).count()).isEqualTo(2L * Sentences.ALL.size());

    // No --output-format: an existing table is appended to in its own format (parquet here), not Delta.
    spark.table("tables_sentences_parquet").limit(0).selectExpr("*", "CAST(NULL AS ARRAY<FLOAT>) AS pooled_output")
        .write().format("parquet").saveAsTable("tables_parquet_appended");
    assertThat(embed("--input-table", "tables_sentences_parquet", "--output-table", "tables_parquet_appended",
        "--mode", "append").exitCode()).isZero();
    assertThat(TableNames.provider(spark, "tables_parquet_appended")).isEqualTo("parquet");
    assertEmbeddedOnce(spark.table("tables_parquet_appended"));

    // Overwritten without --output-format: still parquet; with --output-format delta: refused.
    assertThat(embed("--input-table", "tables_sentences_parquet", "--output-table", "tables_parquet_appended",
        "--mode", "overwrite").exitCode()).isZero();
    assertThat(TableNames.provider(spark, "tables_parquet_appended")).isEqualTo("parquet");
    assertEmbeddedOnce(spark.table("tables_parquet_appended"));
    CliRun toDelta = embed("--input-table", "tables_sentences_parquet", "--output-table", "tables_parquet_appended",
        "--mode", "overwrite", "--output-format", "delta");
    assertThat(toDelta.exitCode()).as(toDelta.printed()).isEqualTo(2);
    assertThat(toDelta.err()).contains("--mode overwrite: --output-table tables_parquet_appended is a parquet table; "
        + "--output-format delta cannot write to it. Drop --output-format or pass parquet, or drop the table first.");
  }

  @Test
  void partitionByDeltaPath() {
    Path output = tmp.resolve("partitioned-delta");
    assertSucceeded(embed("--input", deltaInput.toString(), "--format", "delta", "--output", output.toString(),
        "--output-format", "delta", "--partition-by", "lang"), output + " (delta)");
    Row detail = spark.sql("DESCRIBE DETAIL delta.`" + output + "`").first();
    assertThat(detail.getList(detail.fieldIndex("partitionColumns"))).containsExactly("lang");
    assertThat(output.resolve("lang=ko")).isDirectory();
    assertThat(output.resolve("lang=en")).isDirectory();
    assertEmbeddedOnce(spark.read().format("delta").load(output.toString()));
  }

  @Test
  void partitionByParquetTable() throws IOException {
    assertSucceeded(embed("--input-table", "tables_sentences", "--output-table", "tables_partitioned",
        "--output-format", "parquet", "--partition-by", "lang"), "table tables_partitioned (parquet)");
    Row location = spark.sql("DESCRIBE TABLE EXTENDED tables_partitioned").filter("col_name = 'Location'").first();
    Path dir = Path.of(java.net.URI.create(location.getString(1)));
    try (Stream<Path> entries = Files.list(dir)) {
      assertThat(entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("lang=")))
          .containsExactlyInAnyOrder("lang=en", "lang=ko");
    }
    assertEmbeddedOnce(spark.table("tables_partitioned"));
  }

  @Test
  void aFailedOverwriteLeavesTheDeltaTableAsItWas() throws IOException {
    assertSucceeded(embed("--input-table", "tables_sentences", "--output-table", "tables_kept"),
        "table tables_kept (delta)");
    long versionBefore = spark.sql("DESCRIBE HISTORY tables_kept").count();

    // One partition: no spreading shuffle (whose sampling would fail early), so the read fails inside the write job.
    CliRun failed = embed("--input", brokenDeltaInput("broken-for-table").toString(), "--format", "delta",
        "--output-table", "tables_kept", "--mode", "overwrite", "--partitions", "1");
    assertThat(failed.exitCode()).as(failed.printed()).isEqualTo(1);

    assertThat(spark.sql("DESCRIBE HISTORY tables_kept").count()).as("no new table version").isEqualTo(versionBefore);
    assertEmbeddedOnce(spark.table("tables_kept"));
  }

  @Test
  void aFailedOverwriteLeavesTheParquetPathAsItWas() throws IOException {
    Path output = tmp.resolve("kept-parquet");
    assertSucceeded(embed("--input-table", "tables_sentences", "--output", output.toString()), output.toString());

    // One partition: no spreading shuffle (whose sampling would fail early), so the read fails inside the write job.
    CliRun failed = embed("--input", brokenDeltaInput("broken-for-path").toString(), "--format", "delta",
        "--output", output.toString(), "--mode", "overwrite", "--partitions", "1");
    assertThat(failed.exitCode()).as(failed.printed()).isEqualTo(1);

    assertEmbeddedOnce(spark.read().parquet(output.toString()));
    try (Stream<Path> siblings = Files.list(tmp)) {
      assertThat(siblings.map(p -> p.getFileName().toString())).as("the staging directory is removed")
          .noneMatch(name -> name.startsWith(".kept-parquet"));
    }
    assertSucceeded(embed("--input-table", "tables_sentences", "--output", output.toString(), "--mode", "overwrite"),
        output.toString());
    assertEmbeddedOnce(spark.read().parquet(output.toString()));
  }

  /** A Delta input whose data files are gone: it resolves, then its read fails inside the write job. */
  private static Path brokenDeltaInput(String name) throws IOException {
    Path broken = tmp.resolve(name);
    Sentences.write(InputFormat.DELTA, broken, spark);
    try (Stream<Path> files = Files.list(broken)) {
      for (Path file : files.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList()) {
        Files.delete(file);
      }
    }
    return broken;
  }

  @Test
  void stageWritesADeltaTableThroughSaveAsTable() {
    Dataset<Row> embedded = new TextEmbedder().setModelPath("minilm").transform(Sentences.dataFrame(spark));
    embedded.write().format("delta").saveAsTable("tables_from_stage");
    assertThat(TableNames.provider(spark, "tables_from_stage")).isEqualTo("delta");
    assertEmbeddedOnce(spark.table("tables_from_stage"));
  }

  private static CliRun embed(String... args) {
    List<String> all = new ArrayList<>(List.of("embed", "--model", "minilm", "--master", "local[2]",
        "--progress-interval", "0"));
    all.addAll(List.of(args));
    return CliRun.of(all.toArray(String[]::new));
  }

  private static void assertSucceeded(CliRun run, String target) {
    assertThat(run.exitCode()).as(run.printed()).isZero();
    assertThat(run.out()).as(run.printed())
        .contains("kluespark: embedded " + Sentences.ALL.size() + " rows in ").contains("-> " + target + "\n");
  }

  /** Every input row exactly once, input columns unchanged, and the stage's vector for it (max-abs 0). */
  private static void assertEmbeddedOnce(Dataset<Row> written) {
    assertThat(Arrays.asList(written.columns())).containsExactlyInAnyOrderElementsOf(COLUMNS);
    List<Row> rows = written.collectAsList();
    assertThat(rows.stream().map(r -> r.<Long>getAs("id")).toList())
        .containsExactlyInAnyOrderElementsOf(Sentences.ALL.stream().map(Sentences.Sentence::id).toList());
    for (Row row : rows) {
      Sentences.Sentence source = Sentences.ALL.get((int) (long) row.<Long>getAs("id") - 1);
      assertThat(row.<String>getAs("text")).isEqualTo(source.text());
      assertThat(row.<String>getAs("lang")).isEqualTo(source.lang());
      assertSameVector(row);
    }
  }

  private static void assertSameVector(Row row) {
    long id = row.getAs("id");
    float[] vector = TestRows.vector(row, "pooled_output");
    if (reference.get(id) == null) {
      assertThat(vector).as("row %d has a null text", id).isNull();
      return;
    }
    assertThat(TestRows.maxAbsDiff(vector, reference.get(id))).as("row %d vs the stage", id).isZero();
  }

  private static Map<Long, float[]> vectorsById(Dataset<Row> embedded) {
    Map<Long, float[]> vectors = new HashMap<>();
    for (Row row : embedded.collectAsList()) {
      vectors.put(row.getAs("id"), TestRows.vector(row, "pooled_output"));
    }
    return vectors;
  }
}
