package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;

/** {@code kluespark profile} end to end on the shared session, and its refusals. */
class ProfileCommandTest {
  private static final String TABLE = "profile_command_test_docs";
  private static final Pattern HISTOGRAM_LINE = Pattern.compile("(?m)^ +\\d+(-\\d+|\\+) +\\| #* +(\\d+) \\( *[\\d.]+%\\)$");

  @TempDir
  static Path tmp;

  private static String stsSample;

  @BeforeAll
  static void inputs() {
    SparkSession spark = SparkTestSession.get(); // the CLI runs on this shared session
    stsSample = TestModels.repoRoot().resolve("datasets/klue-sts-sample.jsonl").toString();
    // 6 rows in one partition (so one window): "a" three times, "b" twice, one null.
    List<Row> rows = new ArrayList<>();
    for (String text : Arrays.asList("a", "b", "a", null, "a", "b")) {
      rows.add(RowFactory.create(text));
    }
    spark.createDataFrame(rows, new StructType().add("body", DataTypes.StringType)).coalesce(1)
        .createOrReplaceTempView(TABLE);
  }

  @Test
  void printsEverySectionForAPairInput() {
    CliRun run = CliRun.of("profile", "--model", "minilm", "--input", stsSample, "--text-col", "sentence1",
        "--pair-col", "sentence2", "--sample", "20", "--calibration-rows", "8");

    assertThat(run.exitCode()).as(run.printed()).isZero();
    assertThat(run.out())
        .contains("kluespark profile: --input " + stsSample + " (jsonl), column sentence1 with pair column sentence2")
        .contains("rows: 30 in the input; 20 sampled (Dataset.sample, seed 42, from every partition)")
        .contains("Tokens per row (special tokens included, before truncation)")
        .containsPattern("mean [\\d.]+ +p50 \\d+ +p90 \\d+ +p99 \\d+ +max \\d+")
        .containsPattern("Rows cut at maxSeqLength\n +64: [\\d.]+% +128: [\\d.]+% +256: [\\d.]+% +512: [\\d.]+%")
        .contains("of sampled rows repeat an earlier (text, pair) pair;")
        .contains("whole input: 0.0% of rows (0.0% of characters) repeat an earlier row of their window")
        .containsPattern("Padding efficiency at maxSeqLength \\d+, batch size 32 \\(BatchPlanner, CPU\\)\n"
            + " +[\\d.]+%: [\\d,]+ real tokens / [\\d,]+ padded tokens in \\d+ batches")
        .containsPattern("compute: [\\d,.]+ GFLOP \\(2 x 10,646,784 non-embedding parameters x [\\d,]+ real tokens")
        .containsPattern("calibration: 8 sample rows embedded in [\\d.]+ s on \\S+ \\(\\d+ task slots\\): [\\d.]+ GFLOP/s")
        .containsPattern("time: about [\\d.]+ (s|min|h) of embedding")
        .containsPattern("Recommended maxSeqLength: (64|128|256|512) \\(")
        .containsPattern("kluespark embed --model minilm --input " + Pattern.quote(stsSample)
            + " --text-col sentence1 --pair-col sentence2 --max-seq-length \\d+ --output OUTPUT");
    assertThat(histogramRows(run.out())).isEqualTo(20);
    assertThat(run.err()).contains("kluespark: profile: calibrating: embedding 8 sample rows");
  }

  @Test
  void readsATableCountsRepeatsAndNullsAndCanSkipTheCalibration() {
    CliRun run = CliRun.of("profile", "--model", "minilm", "--input-table", TABLE, "--text-col", "body",
        "--calibration-rows", "0");

    assertThat(run.exitCode()).as(run.printed()).isZero();
    assertThat(run.out())
        .contains("rows: 6 in the input (1 with a null text: null outputs); 6 sampled (Dataset.sample, seed 42, "
            + "from every partition)")
        .contains("sample: 60.0% of sampled rows repeat an earlier sampled text") // a, b, [a], [a], [b] of 5
        .contains("whole input: 60.0% of rows (60.0% of characters) repeat an earlier row of their window (1,024 "
            + "consecutive rows")
        .contains("  3-3 | " + "#".repeat(40) + "       5 (100.0%)") // [CLS] a [SEP]
        .contains("mean 3.0   p50 3   p90 3   p99 3   max 3")
        .contains("64: 0.0%  128: 0.0%  256: 0.0%  512: 0.0%")
        .containsPattern("compute: [\\d.]+ GFLOP \\(2 x 10,646,784 non-embedding parameters x 15 real tokens")
        .contains("time: not estimated (--calibration-rows 0)")
        .contains("Recommended maxSeqLength: 64 (the shortest that cuts at most 1.0% of rows: it cuts 0.0%; "
            + "the model takes up to 512)")
        .contains("kluespark embed --model minilm --input-table " + TABLE + " --text-col body --max-seq-length 64 "
            + "--output OUTPUT");
  }

  @Test
  void theTextPrefixsTokensAreCounted() {
    CliRun run = CliRun.of("profile", "--model", "minilm", "--input-table", TABLE, "--text-col", "body",
        "--text-prefix", "query: ", "--calibration-rows", "0");

    assertThat(run.exitCode()).as(run.printed()).isZero();
    assertThat(run.out())
        .contains("mean 5.0   p50 5   p90 5   p99 5   max 5") // [CLS] query : a [SEP]
        .containsPattern("x 25 real tokens")
        .contains("kluespark embed --model minilm --input-table " + TABLE + " --text-col body --text-prefix "
            + "'query: ' --max-seq-length 64 --output OUTPUT");
  }

  @Test
  void aGivenMaxSeqLengthIsWhatTheEstimateUses() {
    CliRun run = CliRun.of("profile", "--model", "minilm", "--input", stsSample, "--text-col", "sentence1",
        "--max-seq-length", "16", "--calibration-rows", "0");

    assertThat(run.exitCode()).as(run.printed()).isZero();
    assertThat(run.out()).contains("Padding efficiency at maxSeqLength 16, batch size 32")
        .contains("Estimate for the whole input at maxSeqLength 16");
  }

  @Test
  void missingInputPath() {
    String missing = tmp.resolve("no-such-file.jsonl").toString();
    assertUsageError(CliRun.of("profile", "--model", "minilm", "--input", missing),
        "--input " + missing + " does not exist");
  }

  @Test
  void noInputAtAll() {
    assertUsageError(CliRun.of("profile", "--model", "minilm"), "Missing input: give --input PATH or --input-table NAME.");
  }

  @Test
  void inputAndInputTableTogether() {
    assertUsageError(CliRun.of("profile", "--model", "minilm", "--input", stsSample, "--input-table", TABLE),
        "Give --input PATH or --input-table NAME, not both.");
  }

  @Test
  void unknownTable() {
    assertUsageError(CliRun.of("profile", "--model", "minilm", "--input-table", "no_such_table"),
        "--input-table no_such_table does not exist in the session's catalog (current database: default)");
  }

  @Test
  void unknownColumnNamesTheColumnsThereAre() {
    assertUsageError(CliRun.of("profile", "--model", "minilm", "--input-table", TABLE, "--text-col", "text"),
        "--text-col: input column `text` does not exist. Available columns: [body]");
  }

  @Test
  void unknownPairColumn() {
    assertUsageError(CliRun.of("profile", "--model", "minilm", "--input-table", TABLE, "--text-col", "body",
        "--pair-col", "other"), "--pair-col: input column `other` does not exist. Available columns: [body]");
  }

  @Test
  void emptyInput() throws Exception {
    Path empty = java.nio.file.Files.writeString(tmp.resolve("empty.jsonl"), "");
    assertUsageError(CliRun.of("profile", "--model", "minilm", "--input", empty.toString(), "--format", "text"),
        "--input " + empty + " (text) has no rows; there is nothing to profile.");
  }

  @Test
  void sampleMustBePositive() {
    assertUsageError(CliRun.of("profile", "--model", "minilm", "--input", stsSample, "--sample", "0"),
        "--sample must be 1 or more rows, got 0.");
  }

  private static int histogramRows(String out) {
    Matcher line = HISTOGRAM_LINE.matcher(out);
    int rows = 0;
    while (line.find()) {
      rows += Integer.parseInt(line.group(2));
    }
    return rows;
  }

  private static void assertUsageError(CliRun run, String message) {
    assertThat(run.exitCode()).as(run.printed()).isEqualTo(ErrorReporter.USAGE);
    assertThat(run.err()).as(run.printed()).contains(ErrorReporter.PREFIX + message).doesNotContain("\tat ");
  }
}
