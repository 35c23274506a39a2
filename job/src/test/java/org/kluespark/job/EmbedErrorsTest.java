package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.testing.SparkTestSession;

/** User mistakes: exit code 2 and one line on stderr that names the problem and what to do, no stack trace. */
class EmbedErrorsTest {
  @TempDir
  static Path tmp;

  private static Path input;

  @BeforeAll
  static void writeInput() throws Exception {
    SparkTestSession.get(); // the CLI runs on this shared session
    input = tmp.resolve("sentences.jsonl");
    Sentences.write(InputFormat.JSONL, input, SparkTestSession.get());
  }

  @Test
  void missingInputPath() {
    CliRun run = embed("--input", tmp.resolve("no-such-file.jsonl").toString(), "--output", output("missing"));
    assertUsageError(run, "--input " + tmp.resolve("no-such-file.jsonl") + " does not exist");
  }

  @Test
  void unknownFormat() {
    CliRun run = embed("--input", input.toString(), "--format", "xml", "--output", output("xml"));
    assertUsageError(run, "Invalid --format 'xml', expected one of [parquet, csv, json, jsonl, text, orc, delta]");
  }

  @Test
  void unknownExtensionAsksForFormat() throws Exception {
    Path data = Files.writeString(tmp.resolve("sentences.data"), "text\nhello\n");
    CliRun run = embed("--input", data.toString(), "--output", output("data"));
    assertUsageError(run, "Cannot infer the format of --input " + data + " from its extension");
  }

  @Test
  void existingOutputNeedsModeOverwrite() throws Exception {
    String output = output("existing");
    assertThat(embed("--input", input.toString(), "--output", output).exitCode()).isZero();

    CliRun again = embed("--input", input.toString(), "--output", output);
    assertUsageError(again, "--output " + output + " already exists. Pass --mode overwrite to replace it");

    CliRun overwrite = embed("--input", input.toString(), "--output", output, "--mode", "overwrite");
    assertThat(overwrite.exitCode()).as(overwrite.printed()).isZero();
    assertThat(overwrite.out()).contains("kluespark: embedded " + Sentences.ALL.size() + " rows");
  }

  @Test
  void unknownMode() {
    CliRun run = embed("--input", input.toString(), "--output", output("upsert"), "--mode", "upsert");
    assertUsageError(run, "Invalid --mode 'upsert', expected one of [errorifexists, overwrite, append]");
  }

  @Test
  void outputSameAsInput() {
    CliRun run = embed("--input", input.toString(), "--output", input.toString(), "--mode", "overwrite");
    assertUsageError(run, "--output " + input + " is the input itself");
    assertThat(input).exists();
  }

  @Test
  void outputContainingTheInput() {
    CliRun run = embed("--input", input.toString(), "--output", tmp.toString(), "--mode", "overwrite");
    assertUsageError(run, "overwriting it would delete the input");
    assertThat(input).exists();
  }

  @Test
  void missingTextColumnIsNamed() {
    CliRun run = embed("--input", input.toString(), "--output", output("column"), "--text-col", "sentence1");
    assertUsageError(run, "input column `sentence1` does not exist. Available columns: [id, lang, text]");
  }

  @Test
  void batchSizeZero() {
    CliRun run = embed("--input", input.toString(), "--output", output("batch"), "--batch-size", "0");
    assertUsageError(run, "--batch-size: Invalid batchSize (must be > 0): 0");
  }

  @Test
  void batchSizeNotANumber() {
    CliRun run = embed("--input", input.toString(), "--output", output("batch-text"), "--batch-size", "many");
    assertUsageError(run, "Invalid value for option '--batch-size': 'many' is not an int");
  }

  @Test
  void unknownPooling() {
    CliRun run = embed("--input", input.toString(), "--output", output("pooling"), "--pooling", "avg");
    assertUsageError(run, "--pooling: Invalid pooling 'avg', expected one of [auto, pooler, cls, mean, max, mean_sqrt_len_tokens, weightedmean, lasttoken]");
  }

  @Test
  void missingModel() {
    CliRun run = CliRun.of("embed", "--input", input.toString(), "--output", output("model"));
    assertUsageError(run, "Missing --model: give it on the command line or as kluespark.model in a --conf file.");
  }

  @Test
  void missingInput() {
    CliRun run = embed("--output", output("no-input"));
    assertUsageError(run, "Missing --input or --input-table: give one on the command line or as kluespark.input "
        + "or kluespark.input-table in a --conf file.");
  }

  @Test
  void inputAndInputTableTogether() {
    CliRun run = embed("--input", input.toString(), "--input-table", "sentences", "--output", output("both"));
    assertUsageError(run, "--input and --input-table were both given (" + input + ", sentences); give only one.");
  }

  @Test
  void outputAndOutputTableTogether() {
    CliRun run = embed("--input", input.toString(), "--output", output("both-out"), "--output-table", "embedded");
    assertUsageError(run, "--output and --output-table were both given");
  }

  @Test
  void inputTableThatDoesNotExist() {
    CliRun run = embed("--input-table", "no_such_table", "--output", output("no-table"));
    assertUsageError(run, "--input-table no_such_table does not exist in the session's catalog (current database: "
        + "default). Check the name with SHOW TABLES");
    CliRun qualified = embed("--input-table", "nodb.sentences", "--output", output("no-table"));
    assertUsageError(qualified, "--input-table nodb.sentences does not exist in the session's catalog");
    assertThat(qualified.err()).contains("SHOW TABLES IN nodb");
  }

  @Test
  void formatWithAnInputTable() {
    CliRun run = embed("--input-table", "anything", "--format", "csv", "--output", output("table-format"));
    assertUsageError(run, "--format csv applies to --input paths; --input-table anything is read in its own format");
  }

  @Test
  void unknownPartitionColumnIsNamedWithTheAvailableOnes() {
    CliRun run = embed("--input", input.toString(), "--output", output("partition"), "--partition-by", "lang,country");
    assertUsageError(run, "--partition-by: column `country` is not in the output. Available columns: "
        + "[id, lang, text, pooled_output]");
    assertThat(Path.of(output("partition"))).as("nothing is written").doesNotExist();
  }

  @Test
  void unknownOutputFormat() {
    CliRun run = embed("--input", input.toString(), "--output", output("orc-out"), "--output-format", "orc");
    assertUsageError(run, "Invalid --output-format 'orc', expected one of [parquet, delta]");
  }

  @Test
  void appendWithAnotherSchemaNamesTheColumn() {
    String output = output("append-schema");
    assertThat(embed("--input", input.toString(), "--output", output).exitCode()).isZero();

    CliRun run = embed("--input", input.toString(), "--output", output, "--mode", "append", "--error-col", "why");
    assertUsageError(run, "--mode append: this run writes column `why` (string), which --output " + output
        + " does not have. Append adds rows with the same columns only");
    CliRun vector = embed("--input", input.toString(), "--output", output, "--mode", "append", "--output-type",
        "vector");
    assertUsageError(vector, "--mode append: column `pooled_output` is array<float> in --output " + output
        + ", but this run writes ");
    assertThat(SparkTestSession.get().read().parquet(output).count()).as("the output is unchanged")
        .isEqualTo(Sentences.ALL.size());
  }

  @Test
  void appendParquetToADeltaDirectory() throws Exception {
    String output = output("append-delta-dir");
    assertThat(embed("--input", input.toString(), "--output", output, "--output-format", "delta").exitCode())
        .isZero();
    CliRun run = embed("--input", input.toString(), "--output", output, "--mode", "append");
    assertUsageError(run, "--mode append: --output " + output + " is a Delta table (it has _delta_log); pass "
        + "--output-format delta to append to it.");
  }

  @Test
  void existingOutputTableNeedsAMode() {
    SparkTestSession.get().sql("CREATE TABLE existing_out (id BIGINT) USING parquet");
    CliRun run = embed("--input", input.toString(), "--output-table", "existing_out");
    assertUsageError(run, "--output-table existing_out already exists. Pass --mode overwrite to replace it or "
        + "--mode append to add rows to it");
  }

  @Test
  void modelDirectoryThatDoesNotExist() {
    CliRun run = CliRun.of("embed", "--model", tmp.resolve("no-model").toString(), "--input", input.toString(),
        "--output", output("no-model"), "--master", "local[2]");
    assertUsageError(run, "Model directory " + tmp.resolve("no-model") + " does not exist");
  }

  @Test
  void unknownOptionSuggestsTheRightOne() {
    CliRun run = embed("--input", input.toString(), "--output", output("typo"), "--normalise");
    assertUsageError(run, "Unknown option: '--normalise' (did you mean --normalize?)");
  }

  @Test
  void verbosePrintsTheStackTrace() {
    CliRun run = embed("--input", input.toString(), "--output", output("verbose"), "--pooling", "avg", "--verbose");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("kluespark: error: --pooling: Invalid pooling 'avg'")
        .contains("at org.kluespark.");
  }

  @Test
  void batchSizeNegative() {
    CliRun run = embed("--input", input.toString(), "--output", output("batch-negative"), "--batch-size", "-5");
    assertUsageError(run, "--batch-size: Invalid batchSize (must be > 0): -5");
  }

  @Test
  void maxSeqLengthAboveTheModelsPositions() {
    CliRun run = embed("--input", input.toString(), "--output", output("positions"), "--max-seq-length", "1000");
    assertUsageError(run, "maxSeqLength 1000 exceeds the 512 positions the model has");
  }

  @Test
  void missingPairColumnIsNamed() {
    CliRun run = embed("--input", input.toString(), "--output", output("pair-missing"), "--pair-col", "sentence2");
    assertUsageError(run, "pairCol: input column `sentence2` does not exist. Available columns: [id, lang, text]");
  }

  @Test
  void pairColumnEqualToTextColumn() {
    CliRun run = embed("--input", input.toString(), "--output", output("pair-same"), "--pair-col", "text");
    assertUsageError(run, "pairCol and inputCol are both `text`: a pair needs two different columns");
  }

  @Test
  void errorColumnClashingWithAnInputColumn() {
    CliRun run = embed("--input", input.toString(), "--output", output("error-col-clash"), "--error-col", "lang");
    assertUsageError(run, "errorCol: output column `lang` already exists; choose another name or drop the column "
        + "first.");
  }

  @Test
  void errorColumnIsWrittenNullForRowsThatEmbedded() {
    String output = output("error-col");
    CliRun run = embed("--input", input.toString(), "--output", output, "--error-col", "embed_error");
    assertThat(run.exitCode()).as(run.printed()).isZero();
    org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> written = SparkTestSession.get().read().parquet(output);
    assertThat(written.columns()).containsExactly("id", "lang", "text", "pooled_output", "embed_error");
    assertThat(written.count()).isEqualTo(Sentences.ALL.size());
    assertThat(written.filter("embed_error IS NOT NULL").count()).isZero();
  }

  private static CliRun embed(String... args) {
    List<String> all = new ArrayList<>(List.of("embed", "--model", "minilm", "--master", "local[2]",
        "--progress-interval", "0"));
    all.addAll(List.of(args));
    return CliRun.of(all.toArray(String[]::new));
  }

  private static String output(String name) {
    return tmp.resolve("out-" + name).toString();
  }

  private static void assertUsageError(CliRun run, String message) {
    assertThat(run.exitCode()).as(run.printed()).isEqualTo(2);
    assertThat(run.err()).as(run.printed()).startsWith("kluespark: error: ").contains(message)
        .doesNotContain("\tat ").doesNotContain("Exception");
    assertThat(run.err().strip().lines()).as("one line: " + run.printed()).hasSize(1);
  }
}
