package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;
import org.kluespark.tokenize.TextPrefixes;
import picocli.CommandLine;

/**
 * {@code embed --text-prefix / --pair-prefix}: the stage's vectors with the same Params, the --conf file keeps a
 * prefix's trailing space, --pair-prefix needs --pair-col, and an incremental table compares its prefixes.
 */
class EmbedPrefixTest {
  @TempDir
  Path tmp;

  @Test
  void embedsWithThePrefixesAsTheStageDoes() throws Exception {
    SparkSession spark = SparkTestSession.get(); // the CLI runs on this shared session
    List<String> sts = Files.readAllLines(TestModels.repoRoot().resolve("datasets/klue-sts-sample.jsonl"));
    String input = Files.write(tmp.resolve("sts-6.jsonl"), sts.subList(0, 6)).toString();
    String output = tmp.resolve("prefixed").toString();
    CliRun run = CliRun.of("embed", "--model", "minilm", "--input", input, "--output", output, "--master",
        "local[2]", "--progress-interval", "0", "--text-col", "sentence1", "--pair-col", "sentence2",
        "--text-prefix", "query: ", "--pair-prefix", "passage: ");
    assertThat(run.exitCode()).as(run.printed()).isZero();

    Dataset<Row> rows = spark.read().json(input);
    List<Row> expected = new TextEmbedder().setModelPath("minilm").setInputCol("sentence1").setPairCol("sentence2")
        .setTextPrefix("query: ").setPairPrefix("passage: ").transform(rows).orderBy("guid").collectAsList();
    List<Row> written = spark.read().parquet(output).orderBy("guid").collectAsList();
    assertThat(written).hasSize(6).hasSameSizeAs(expected);
    for (int i = 0; i < written.size(); i++) {
      assertThat(TestRows.vector(written.get(i), "pooled_output")).as("row %d", i)
          .isEqualTo(TestRows.vector(expected.get(i), "pooled_output"));
    }
  }

  @Test
  void theConfFileKeepsAPrefixsTrailingSpace() throws Exception {
    Path conf = Files.writeString(tmp.resolve("prefix.properties"), "kluespark.model=minilm\n"
        + "kluespark.text-prefix=query: \nkluespark.pair-col=b\nkluespark.pair-prefix=passage: \n"
        + "kluespark.text-col=  a  \n");
    EmbedCommand command = parse("--input", "in.jsonl", "--output", "out", "--conf", conf.toString());
    EmbedSettings settings = command.settings(ConfFile.load(conf, EmbedCommand.confOptions(command.spec)));

    assertThat(settings.textCol()).as("other values are trimmed").isEqualTo("a");
    assertThat(settings.newEmbedder().textPrefixes()).isEqualTo(new TextPrefixes("query: ", "passage: "));
    EmbedCommand fromCli = parse("--input", "in.jsonl", "--output", "out", "--text-prefix", "passage: ",
        "--conf", conf.toString());
    assertThat(fromCli.settings(ConfFile.load(conf, EmbedCommand.confOptions(command.spec))).newEmbedder()
        .getTextPrefix()).as("the command line wins").isEqualTo("passage: ");
  }

  @Test
  void aPairPrefixWithoutPairColIsAUsageError() {
    CliRun run = CliRun.of("embed", "--model", "minilm", "--input", "in.jsonl", "--output", "out",
        "--pair-prefix", "passage: ");
    assertThat(run.exitCode()).as(run.printed()).isEqualTo(2);
    assertThat(run.err()).contains("--pair-prefix 'passage: ' needs --pair-col: without a second text it would go "
        + "before nothing. Use --text-prefix for the texts of --text-col.");
  }

  @Test
  void anIncrementalTableComparesItsPrefixesAndOneWrittenBeforeThemHasNone() {
    EmbeddingTableProperties none = properties("", "");
    Map<String, String> writtenBeforePrefixes = Map.of(EmbeddingTableProperties.MODEL_SHA256, "abc");
    none.requireSameAs(writtenBeforePrefixes, "--output t"); // no prefix = the old table's (none)

    assertThatThrownBy(() -> properties("query: ", "").requireSameAs(writtenBeforePrefixes, "--output t"))
        .hasMessageContaining("kluespark.textPrefix is (none) in the table but 'query: ' in this run");
    assertThatThrownBy(() -> properties("query: ", "").requireSameAs(properties("query:", "").all(), "--output t"))
        .hasMessageContaining("kluespark.textPrefix is 'query:' in the table but 'query: ' in this run");
    assertThatThrownBy(() -> properties("", "passage: ").requireSameAs(none.all(), "--output t"))
        .hasMessageContaining("kluespark.pairPrefix is (none) in the table but 'passage: ' in this run");
  }

  private static EmbeddingTableProperties properties(String textPrefix, String pairPrefix) {
    return new EmbeddingTableProperties(Map.of(EmbeddingTableProperties.MODEL_SHA256, "abc",
        EmbeddingTableProperties.TEXT_PREFIX, textPrefix, EmbeddingTableProperties.PAIR_PREFIX, pairPrefix),
        Map.of());
  }

  private static EmbedCommand parse(String... args) {
    EmbedCommand command = new EmbedCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }
}
