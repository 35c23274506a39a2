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
    assertUsageError(run, "Invalid --format 'xml', expected one of [parquet, csv, json, jsonl, text, orc]");
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
    CliRun run = embed("--input", input.toString(), "--output", output("append"), "--mode", "append");
    assertUsageError(run, "Invalid --mode 'append', expected one of [errorifexists, overwrite]");
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
    assertUsageError(run, "--pooling: Invalid pooling 'avg', expected one of [auto, pooler, cls, mean, max]");
  }

  @Test
  void missingModel() {
    CliRun run = CliRun.of("embed", "--input", input.toString(), "--output", output("model"));
    assertUsageError(run, "Missing --model: give it on the command line or as kluespark.model in a --conf file.");
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
