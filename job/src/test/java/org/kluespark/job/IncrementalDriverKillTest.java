package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.delta.tables.DeltaTable;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;

/**
 * The driver of an incremental run killed (SIGKILL, no shutdown hooks) while it embeds: the Delta table keeps its
 * version and rows, and the next run adds every missing row exactly once. The killed run is a child JVM on this
 * test's classpath, so it runs on either Spark line.
 */
class IncrementalDriverKillTest {
  private static final int ROWS = 600;
  private static final int FIRST_RUN_ROWS = 12;

  @TempDir
  Path tmp;

  @Test
  void aKilledDriverCommitsNothingAndTheNextRunAddsTheRestOnce() throws Exception {
    Path all = writeInput("all.jsonl", ROWS);
    Path first = writeInput("first.jsonl", FIRST_RUN_ROWS);
    String output = tmp.resolve("out").toString();

    CliRun firstRun = CliRun.of(incremental(first, output));
    assertThat(firstRun.exitCode()).as(firstRun.printed()).isZero();

    // Batches of 2 keep the killed run embedding for many seconds after its first progress line.
    List<String> killedOutput = killAtFirstProgressLine(incremental(all, output, "--batch-size", "2"));
    SparkSession spark = SparkTestSession.get();
    DeltaTable table = DeltaTable.forPath(spark, output);
    assertThat(table.history().count()).as("versions after the killed run: %s", killedOutput).isEqualTo(1);
    assertThat(table.toDF().count()).isEqualTo(FIRST_RUN_ROWS);

    CliRun rerun = CliRun.of(incremental(all, output));
    assertThat(rerun.exitCode()).as(rerun.printed()).isZero();
    assertThat(rerun.out()).contains((ROWS - FIRST_RUN_ROWS) + " new rows, " + FIRST_RUN_ROWS + " already embedded");
    DeltaTable done = DeltaTable.forPath(spark, output);
    assertThat(done.toDF().count()).isEqualTo(ROWS);
    assertThat(done.toDF().select("guid").distinct().count()).as("each id once").isEqualTo(ROWS);
  }

  /** Distinct texts (STS sentences with their row number), so neither duplicate reuse nor caching shortens the run. */
  private Path writeInput(String name, int rows) throws Exception {
    List<String> sentences = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(TestModels.repoRoot().resolve("datasets/klue-sts-sample.jsonl"))) {
      if (!line.isBlank()) {
        sentences.add(json.readTree(line).get("sentence1").asText());
      }
    }
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      ObjectNode row = json.createObjectNode().put("guid", "row-" + i)
          .put("text", sentences.get(i % sentences.size()) + " (" + i + ")");
      lines.add(json.writeValueAsString(row));
    }
    return Files.write(tmp.resolve(name), lines);
  }

  private static String[] incremental(Path input, String output, String... extra) {
    List<String> args = new ArrayList<>(List.of("embed", "--model", "minilm", "--input", input.toString(),
        "--output", output, "--incremental", "--id-col", "guid", "--master", "local[2]", "--progress-interval",
        "0.5"));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  /** Runs the CLI in a child JVM and kills it (SIGKILL) as soon as it reports embedding progress. */
  private static List<String> killAtFirstProgressLine(String[] args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx2g");
    // The opens Spark needs on Java 17, as this JVM got them from surefire's argLine.
    ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(arg -> arg.startsWith("--add-opens") || arg.startsWith("-XX:+IgnoreUnrecognized")
            || arg.startsWith("-Djdk.reflect") || arg.startsWith("-Dio.netty"))
        .forEach(command::add);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(KlueSparkCli.class.getName());
    command.addAll(List.of(args));
    Process driver = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        lines.add(line);
        if (line.matches("kluespark: \\d+ rows, .* rows/s, tasks .*")) {
          driver.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup, as when a driver's host dies
          break;
        }
      }
    } finally {
      driver.destroyForcibly();
      assertThat(driver.waitFor(1, TimeUnit.MINUTES)).isTrue();
    }
    assertThat(lines).as("the run was killed while it embedded").anyMatch(l -> l.contains(" rows/s, tasks "));
    assertThat(lines).as("the run did not finish").noneMatch(l -> l.contains("new rows,"));
    return lines;
  }
}
