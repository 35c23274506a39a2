package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.model.ModelBundle;
import org.kluespark.synth.ModelPreset;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;

/**
 * {@code embed --incremental --id-col guid} into a Delta path through the CLI: a growing input is embedded once per
 * id with the vectors of one full run; a rerun commits nothing; another model or pooling, bad ids and a non-Delta
 * output are refused with messages that say what to do.
 */
class IncrementalEmbedTest {
  @TempDir
  static Path tmp;

  private static List<String> stsLines;
  private static Path all;

  @BeforeAll
  static void writeInputs() throws Exception {
    SparkTestSession.get(); // the CLI runs on this shared session, which has Delta's extension and catalog
    stsLines = Files.readAllLines(TestModels.repoRoot().resolve("datasets/klue-sts-sample.jsonl")).stream()
        .filter(line -> !line.isBlank()).toList();
    assertThat(stsLines).hasSize(30);
    all = input("all", stsLines);
  }

  @Test
  void growingInputIsEmbeddedOncePerIdWithTheVectorsOfOneFullRun() throws Exception {
    Path first = input("first-40pct", stsLines.subList(0, 12));
    Path second = input("first-70pct", stsLines.subList(0, 21));
    String output = output("growing");

    assertSummary(incremental(first, output), "12 new rows, 0 already embedded", "(Delta version 0)");
    assertSummary(incremental(second, output), "9 new rows, 12 already embedded", "(Delta version 1)");
    assertSummary(incremental(all, output), "9 new rows, 21 already embedded", "(Delta version 2)");
    assertSummary(incremental(all, output), "0 new rows, 30 already embedded", "(Delta version 2, unchanged)");

    String full = output("full-run");
    CliRun fullRun = CliRun.of(args(all, full, "--text-col", "sentence1", "--pair-col", "sentence2"));
    assertThat(fullRun.exitCode()).as(fullRun.printed()).isZero();

    SparkSession spark = SparkTestSession.get();
    Map<String, float[]> expected = vectorsById(spark.read().parquet(full).collectAsList());
    List<Row> written = spark.read().format("delta").load(output).collectAsList();
    Map<String, float[]> actual = vectorsById(written);
    assertThat(written).hasSize(30); // vectorsById fails on a repeated id
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    double maxAbs = 0;
    for (String guid : expected.keySet()) {
      maxAbs = Math.max(maxAbs, TestRows.maxAbsDiff(expected.get(guid), actual.get(guid)));
    }
    assertThat(maxAbs).as("max-abs against one full run").isZero();

    Map<String, String> properties = DeltaTarget.properties(DeltaTable.forPath(spark, output));
    ModelBundle minilm = new TextEmbedder().setModelPath("minilm").modelBundle();
    assertThat(properties).containsEntry("kluespark.model.sha256", minilm.fingerprint())
        .containsEntry("kluespark.model", "minilm")
        .containsEntry("kluespark.model.precision", "fp32")
        .containsEntry("kluespark.pooling", "pooler") // auto, for a model with a pooler output
        .containsEntry("kluespark.maxSeqLength", "128")
        .containsEntry("kluespark.normalize", "false")
        .containsEntry("kluespark.textCol", "sentence1")
        .containsEntry("kluespark.pairCol", "sentence2")
        .containsEntry("kluespark.outputType", "array")
        .containsEntry("kluespark.hiddenSize", "384")
        .containsEntry("kluespark.idCol", "guid");
  }

  @Test
  void anotherModelIsRefusedNamingBothUntilModeOverwriteReplacesTheTable() throws Exception {
    String output = output("models");
    assertSummary(incremental(input("models-first", stsLines.subList(0, 5)), output), "5 new rows");
    Path tiny = TestModels.syntheticBundle(ModelPreset.BERT_TINY_EN_UNCASED);
    String minilmSha = new TextEmbedder().setModelPath("minilm").modelBundle().fingerprint();
    String tinySha = new TextEmbedder().setModelPath(tiny.toString()).modelBundle().fingerprint();

    CliRun other = incremental(all, output, "--model", tiny.toString());
    assertUsageError(other, "--output " + output + " was embedded with other settings: kluespark.model.sha256 is "
        + minilmSha + " (kluespark.model minilm) in the table but " + tinySha + " (kluespark.model " + tiny
        + ") in this run");
    assertThat(other.err()).contains("kluespark.hiddenSize is 384 in the table but 128 in this run")
        .contains("Write to a new output, or pass --mode overwrite");
    assertThat(SparkTestSession.get().read().format("delta").load(output).count()).isEqualTo(5);

    CliRun replaced = incremental(all, output, "--model", tiny.toString(), "--mode", "overwrite");
    // version 1: the empty table with the new properties; version 2: every row
    assertSummary(replaced, "30 new rows, 0 already embedded", "(Delta version 2)");
    Map<String, String> properties = DeltaTarget.properties(DeltaTable.forPath(SparkTestSession.get(), output));
    assertThat(properties).containsEntry("kluespark.model.sha256", tinySha).containsEntry("kluespark.hiddenSize",
        "128");
    assertSummary(incremental(all, output, "--model", tiny.toString()), "0 new rows, 30 already embedded");
  }

  @Test
  void anotherPoolingIsRefused() throws Exception {
    String output = output("pooling");
    assertSummary(incremental(input("pooling-first", stsLines.subList(0, 3)), output), "3 new rows");
    CliRun cls = incremental(all, output, "--pooling", "cls");
    assertUsageError(cls, "kluespark.pooling is pooler in the table but cls in this run");
    CliRun normalized = incremental(all, output, "--normalize");
    assertUsageError(normalized, "kluespark.normalize is false in the table but true in this run");
  }

  @Test
  void anotherPrefixIsRefusedAndTheTableKeepsThePrefixWithItsTrailingSpace() throws Exception {
    String output = output("prefix");
    assertSummary(incremental(input("prefix-first", stsLines.subList(0, 3)), output, "--text-prefix", "query: "),
        "3 new rows");
    assertThat(DeltaTarget.properties(DeltaTable.forPath(SparkTestSession.get(), output)))
        .containsEntry("kluespark.textPrefix", "query: ").containsEntry("kluespark.pairPrefix", "");
    // Another prefix (here none) is another embedding; EmbedPrefixTest checks the other comparisons without Delta.
    assertUsageError(incremental(all, output), "kluespark.textPrefix is 'query: ' in the table but (none) in this "
        + "run");
  }

  @Test
  void nullIdsAreRefusedWithTheirCount() throws Exception {
    List<String> lines = new ArrayList<>(stsLines.subList(0, 6));
    lines.set(1, lines.get(1).replace("\"guid\": \"klue-sts-sample-2\"", "\"guid\": null"));
    lines.set(4, lines.get(4).replace("\"guid\": \"klue-sts-sample-5\"", "\"guid\": null"));
    String output = output("null-ids");
    assertUsageError(incremental(input("null-ids", lines), output), "--id-col guid is null in 2 of 6 input rows");
    assertThat(Path.of(output)).doesNotExist();
  }

  @Test
  void duplicateIdsAreRefusedWithTheFirstFew() throws Exception {
    List<String> lines = new ArrayList<>(stsLines.subList(0, 10));
    lines.addAll(stsLines.subList(0, 7)); // ids 1..7 twice
    assertUsageError(incremental(input("repeats", lines), output("repeats")), "--id-col guid repeats 7 id(s) in "
        + "the input, first 5: klue-sts-sample-1 (2 rows), klue-sts-sample-2 (2 rows), klue-sts-sample-3 (2 rows)");
  }

  @Test
  void incrementalNeedsAnIdColumn() {
    CliRun run = CliRun.of(args(all, output("no-id"), "--text-col", "sentence1", "--incremental"));
    assertUsageError(run, "--incremental needs --id-col COL");
  }

  @Test
  void idColumnMustExist() {
    CliRun run = CliRun.of(args(all, output("bad-id"), "--text-col", "sentence1", "--incremental", "--id-col",
        "id"));
    assertUsageError(run, "--id-col: input column `id` does not exist. Available columns: [annotations, guid, "
        + "labels, sentence1, sentence2, source]");
  }

  @Test
  void idColumnWithoutIncrementalIsRefused() {
    CliRun run = CliRun.of(args(all, output("id-only"), "--text-col", "sentence1", "--id-col", "guid"));
    assertUsageError(run, "--id-col is only used with --incremental");
  }

  @Test
  void anExistingParquetOutputIsRefused() {
    String output = output("parquet");
    CliRun parquet = CliRun.of(args(all, output, "--text-col", "sentence1", "--pair-col", "sentence2"));
    assertThat(parquet.exitCode()).as(parquet.printed()).isZero();
    assertUsageError(incremental(all, output), "--output " + output + " exists and is not a Delta table");
  }

  @Test
  void intoACatalogTablePartitionedByTheFirstRun() throws Exception {
    String table = "incremental_by_source";
    Path first = input("table-first", stsLines.subList(0, 12));
    assertSummary(incrementalIntoTable(first, table, "--partition-by", "source"), "12 new rows, 0 already embedded");
    assertSummary(incrementalIntoTable(all, table), "18 new rows, 12 already embedded");
    assertSummary(incrementalIntoTable(all, table, "--partition-by", "source"), "0 new rows, 30 already embedded");

    SparkSession spark = SparkTestSession.get();
    assertThat(vectorsById(spark.table(table).collectAsList())).hasSize(30);
    DeltaTable delta = DeltaTable.forName(spark, table);
    assertThat(delta.detail().select("partitionColumns").head().<String>getList(0)).containsExactly("source");
    assertThat(DeltaTarget.properties(delta)).containsEntry("kluespark.idCol", "guid");

    assertUsageError(incrementalIntoTable(all, table, "--partition-by", "guid"), "--partition-by guid: --output-table "
        + table + " is partitioned by source. Drop --partition-by (new rows go into the table's own partitions), "
        + "or pass --mode overwrite to rebuild it.");
  }

  @Test
  void parquetOutputFormatIsRefused() {
    assertUsageError(incremental(all, output("as-parquet"), "--output-format", "parquet"),
        "--incremental writes a Delta table (one transaction per run, ids checked inside it); drop --output-format "
            + "parquet or pass --output-format delta.");
  }

  // ---- helpers ----

  private static CliRun incrementalIntoTable(Path input, String table, String... extra) {
    List<String> args = new ArrayList<>(List.of("embed", "--model", "minilm", "--input", input.toString(),
        "--output-table", table, "--master", "local[2]", "--progress-interval", "0", "--text-col", "sentence1",
        "--pair-col", "sentence2", "--incremental", "--id-col", "guid"));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  /** The incremental run of the STS pairs, with minilm unless {@code extra} names another --model. */
  static CliRun incremental(Path input, String output, String... extra) {
    List<String> args = new ArrayList<>(List.of("embed", "--input", input.toString(), "--output", output,
        "--master", "local[2]", "--progress-interval", "0", "--text-col", "sentence1", "--pair-col", "sentence2",
        "--incremental", "--id-col", "guid"));
    if (!List.of(extra).contains("--model")) {
      args.addAll(List.of("--model", "minilm"));
    }
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  private static String[] args(Path input, String output, String... extra) {
    List<String> args = new ArrayList<>(List.of("embed", "--model", "minilm", "--input", input.toString(),
        "--output", output, "--master", "local[2]", "--progress-interval", "0"));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  private static Path input(String name, List<String> lines) throws Exception {
    return Files.write(tmp.resolve(name + ".jsonl"), lines);
  }

  private static String output(String name) {
    return tmp.resolve("out-" + name).toString();
  }

  static Map<String, float[]> vectorsById(List<Row> rows) {
    Map<String, float[]> vectors = new HashMap<>();
    for (Row row : rows) {
      float[] previous = vectors.put(row.getAs("guid"), TestRows.vector(row, "pooled_output"));
      assertThat(previous).as("guid %s written twice", (Object) row.getAs("guid")).isNull();
    }
    return vectors;
  }

  private static void assertSummary(CliRun run, String... parts) {
    assertThat(run.exitCode()).as(run.printed()).isZero();
    for (String part : parts) {
      assertThat(run.out()).as(run.printed()).contains(part);
    }
  }

  private static void assertUsageError(CliRun run, String message) {
    assertThat(run.exitCode()).as(run.printed()).isEqualTo(2);
    assertThat(run.err()).as(run.printed()).startsWith("kluespark: error: ").contains(message)
        .doesNotContain("\tat ");
    assertThat(run.err().strip().lines()).as("one line: " + run.printed()).hasSize(1);
  }
}
