package org.kluespark.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;

/**
 * {@code kluespark embed} on a real standalone cluster ({@link StandaloneCluster}: a master and two 1-core
 * workers, each a JVM), submitted with spark-submit in client mode, 2 executors × 1 core, 16 partitions:
 * the same vectors as {@code local[2]}, one model load per executor JVM, a job that survives a SIGKILLed
 * executor, and output that is only ever complete.
 */
class StandaloneClusterIT {
  // Few and short enough (24 tokens at most) that each run embeds for seconds, long enough to be killed mid-job.
  private static final int ROWS = 2000;
  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(4);
  private static final Pattern PROGRESS = Pattern.compile("kluespark: (\\d+) rows, ");
  private static final Pattern MODEL_LOADS = Pattern.compile(", (\\d+) model loads?");

  private static StandaloneCluster cluster;
  private static Path work;
  private static Path input;
  private static Map<Long, float[]> reference;

  @BeforeAll
  static void startClusterAndEmbedLocally() throws Exception {
    long start = System.nanoTime();
    Path base = TestModels.repoRoot().resolve("tests/target/cluster-it-work");
    StandaloneCluster.deleteRecursively(base);
    work = Files.createDirectories(base);
    input = writeInput(work.resolve("input.jsonl"));
    // The local[2] reference runs while the cluster starts.
    Path localOutput = work.resolve("local");
    EmbedSubmission local = EmbedSubmission.start(work.resolve("local.log"), "local[2]", List.of(),
        embedArgs(localOutput));
    cluster = StandaloneCluster.start("it");
    assertThat(local.awaitExit(JOB_TIMEOUT)).as("local[2] run:\n%s", local.output()).isZero();
    reference = vectors(localOutput);
    assertThat(reference).hasSize(ROWS);
    System.out.printf("local[2] reference: %d rows in %.1f s (run %.1f s), cluster up%n", reference.size(),
        (System.nanoTime() - start) / 1e9, local.elapsedSeconds());
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void embedsOnTwoExecutorsAsLocalDoesLoadingTheModelOncePerExecutorJvm() throws Exception {
    cluster.awaitNoExecutors(Duration.ofSeconds(30));
    Path output = work.resolve("cluster");
    EmbedSubmission job = submit("cluster", output, List.of());
    Set<Long> executorPids = new TreeSet<>();
    cluster.awaitExecutors(2, Duration.ofSeconds(90)).forEach(executor -> executorPids.add(executor.pid()));
    assertThat(job.awaitExit(JOB_TIMEOUT)).as("cluster run:\n%s", job.output()).isZero();

    Map<Long, float[]> vectors = vectors(output);
    double maxAbs = maxAbsDiff(vectors, reference);
    long modelLoads = modelLoads(job.output());
    System.out.printf("cluster run: %d rows in, %d out, executor JVMs %s, model loads %d, max-abs vs local[2] %s, "
        + "%.1f s%n", ROWS, vectors.size(), executorPids, modelLoads, maxAbs, job.elapsedSeconds());
    assertThat(executorPids).hasSize(2);
    assertThat(vectors.keySet()).isEqualTo(reference.keySet());
    assertThat(maxAbs).as("max-abs difference from the local[2] vectors").isZero();
    assertThat(modelLoads).as("sessions created by the job's tasks, 16 partitions on 2 executor JVMs")
        .isEqualTo(2);
  }

  @Test
  void survivesAnExecutorKilledMidJob() throws Exception {
    cluster.awaitNoExecutors(Duration.ofSeconds(30));
    Path output = work.resolve("killed-executor");
    EmbedSubmission job = submit("killed-executor", output, List.of());
    long rowsAtKill = awaitRowsDone(job);
    StandaloneCluster.Executor victim = cluster.awaitExecutors(2, Duration.ofSeconds(30)).get(0);
    double killedAt = job.elapsedSeconds();
    victim.kill();
    assertThat(job.awaitExit(JOB_TIMEOUT)).as("run with a killed executor:\n%s", job.output()).isZero();

    List<Long> ids = ids(output);
    Map<Long, float[]> vectors = vectors(output);
    long duplicates = ids.size() - new LinkedHashSet<>(ids).size();
    double maxAbs = maxAbsDiff(vectors, reference);
    System.out.printf("killed executor %s (pid %d) at %.1f s with %d rows done: %d rows in, %d out, %d duplicate "
            + "ids, max-abs vs fault-free %s, model loads %d, %.1f s in all%n", victim.executorId(), victim.pid(),
        killedAt, rowsAtKill, ROWS, ids.size(), duplicates, maxAbs, modelLoads(job.output()), job.elapsedSeconds());
    assertThat(job.output()).as("the driver saw the executor go").contains("Lost executor " + victim.executorId());
    assertThat(ids).hasSize(ROWS);
    assertThat(duplicates).isZero();
    assertThat(vectors.keySet()).isEqualTo(reference.keySet());
    assertThat(maxAbs).as("max-abs difference from the fault-free vectors").isZero();
  }

  /**
   * Spark's file committer: tasks write under {@code --output/_temporary}, and only a finished job moves their
   * files up and writes {@code _SUCCESS}. A job that fails inside its tasks, or whose driver is killed, leaves
   * at most {@code _temporary}, which the default mode refuses and {@code --mode overwrite} replaces.
   */
  @Test
  void aFailedJobLeavesNoOutputAndOnlyOverwriteReplacesOne() throws Exception {
    cluster.awaitNoExecutors(Duration.ofSeconds(30));
    Path output = work.resolve("commit");
    // One task attempt only: the executor killed mid-job fails its running task, and so the job.
    EmbedSubmission failing = submit("commit-task-failure", output, List.of("--conf", "spark.task.maxFailures=1"));
    awaitRowsDone(failing);
    cluster.awaitExecutors(2, Duration.ofSeconds(30)).get(0).kill();
    int failedExit = failing.awaitExit(JOB_TIMEOUT);
    System.out.printf("job failed in a task: exit %d, --output %s, holding %s%n", failedExit,
        Files.isDirectory(output) ? "is a directory" : "does not exist", listing(output));
    assertThat(failedExit).as("failing run:\n%s", failing.output()).isEqualTo(1);
    assertThat(failing.output()).contains("kluespark: error: Job aborted due to stage failure: Task ")
        .contains("failed 1 times");
    // The driver's abort deletes _temporary, but a task of the aborted stage still running on the other executor
    // may recreate part of it: what may remain is under _temporary, never a committed file.
    assertThat(listing(output)).noneMatch(name -> name.endsWith("_SUCCESS"))
        .allMatch(name -> name.startsWith("_temporary"));

    cluster.awaitNoExecutors(Duration.ofSeconds(30));
    boolean existedBeforeOverwrite = Files.isDirectory(output);
    List<String> beforeOverwrite = listing(output);
    EmbedSubmission killedDriver = submit("commit-killed-driver", output, List.of(), "--mode", "overwrite");
    awaitRowsDone(killedDriver);
    killedDriver.kill();
    // The killed driver's executors may finish (and move) a task attempt before they notice it is gone:
    // read what remains once they have exited.
    cluster.awaitNoExecutors(Duration.ofSeconds(60));
    List<String> remains = listing(output);
    System.out.printf("driver killed mid-job: --output holds %d paths, %d of them part files, all under "
        + "_temporary: %s%n", remains.size(), remains.stream().filter(name -> name.contains("part-")).count(),
        remains.stream().allMatch(name -> name.startsWith("_temporary")));
    if (existedBeforeOverwrite) {
      // --mode overwrite of an existing directory writes into a hidden sibling and swaps it in only after the job
      // committed (StagedOverwrite): a killed run leaves --output as it was.
      assertThat(remains).as("--output after the killed overwrite").isEqualTo(beforeOverwrite);
    }
    assertThat(remains).allMatch(name -> name.startsWith("_temporary"));
    assertThat(remains).noneMatch(name -> name.endsWith("_SUCCESS"));

    EmbedSubmission refused = EmbedSubmission.start(work.resolve("commit-refused.log"), "local[1]", List.of(),
        embedArgs(output));
    assertThat(refused.awaitExit(JOB_TIMEOUT)).as("rerun without --mode:\n%s", refused.output()).isEqualTo(2);
    assertThat(refused.output()).contains("kluespark: error: --output " + output + " already exists. Pass --mode "
        + "overwrite to replace it or --mode append to add rows to it, or choose another --output.");
    assertThat(listing(output)).isEqualTo(remains);

    cluster.awaitNoExecutors(Duration.ofSeconds(30));
    EmbedSubmission rerun = submit("commit-overwrite", output, List.of(), "--mode", "overwrite");
    assertThat(rerun.awaitExit(JOB_TIMEOUT)).as("rerun with --mode overwrite:\n%s", rerun.output()).isZero();
    assertThat(listing(output)).contains("_SUCCESS").noneMatch(name -> name.startsWith("_temporary"));
    assertThat(ids(output)).hasSize(ROWS).doesNotHaveDuplicates();
    assertThat(maxAbsDiff(vectors(output), reference)).isZero();
  }

  private static EmbedSubmission submit(String name, Path output, List<String> sparkArgs, String... moreEmbedArgs)
      throws IOException {
    List<String> args = new ArrayList<>(List.of("--total-executor-cores", "2", "--executor-cores", "1",
        "--executor-memory", "1g"));
    args.addAll(sparkArgs);
    List<String> embed = new ArrayList<>(embedArgs(output));
    embed.addAll(List.of(moreEmbedArgs));
    return EmbedSubmission.start(work.resolve(name + ".log"), cluster.masterUrl(), args, embed);
  }

  /** The same embed settings for every run, so the vectors must match bit for bit. */
  private static List<String> embedArgs(Path output) {
    return List.of("--model", "minilm", "--input", input.toString(), "--format", "jsonl", "--text-col", "text",
        "--output", output.toString(), "--partitions", "16", "--max-seq-length", "24", "--progress-interval", "0.5");
  }

  /** Waits for a progress line with rows done (from finished tasks or executor heartbeats). */
  private static long awaitRowsDone(EmbedSubmission job) throws IOException, InterruptedException {
    String line = job.awaitLine(text -> {
      Matcher m = PROGRESS.matcher(text);
      return m.find() && Long.parseLong(m.group(1)) > 0;
    }, JOB_TIMEOUT);
    Matcher m = PROGRESS.matcher(line);
    assertThat(m.find()).isTrue();
    return Long.parseLong(m.group(1));
  }

  /** The model loads of the CLI's metrics line; 0 when it names none. */
  private static long modelLoads(String output) {
    return output.lines().filter(line -> line.contains("padding efficiency")).findFirst()
        .map(MODEL_LOADS::matcher).filter(Matcher::find).map(m -> Long.parseLong(m.group(1))).orElse(0L);
  }

  /** ROWS rows {"id": i, "text": ...}: the datasets/ sentences, one or two joined, so lengths vary. */
  private static Path writeInput(Path file) throws IOException {
    Path datasets = TestModels.repoRoot().resolve("datasets");
    ObjectMapper json = new ObjectMapper();
    List<String> sentences = new ArrayList<>(Files.readAllLines(datasets.resolve("sentences.txt")).stream()
        .filter(line -> !line.isBlank()).toList());
    for (String line : Files.readAllLines(datasets.resolve("klue-nli-sample.jsonl"))) {
      if (!line.isBlank()) {
        sentences.add(json.readTree(line).get("premise").asText());
        sentences.add(json.readTree(line).get("hypothesis").asText());
      }
    }
    try (BufferedWriter out = Files.newBufferedWriter(file)) {
      for (int i = 0; i < ROWS; i++) {
        String text = sentences.get(i % sentences.size());
        if (i % 3 == 1) {
          text = text + " " + sentences.get((i * 7 + 3) % sentences.size());
        }
        ObjectNode row = json.createObjectNode().put("id", (long) i).put("text", text);
        out.write(json.writeValueAsString(row));
        out.newLine();
      }
    }
    return file;
  }

  private static List<Long> ids(Path output) {
    return SparkTestSession.get().read().parquet(output.toString()).select("id").collectAsList().stream()
        .map(row -> row.getLong(0)).toList();
  }

  private static Map<Long, float[]> vectors(Path output) {
    Map<Long, float[]> vectors = new HashMap<>();
    for (Row row : SparkTestSession.get().read().parquet(output.toString()).select("id", "pooled_output")
        .collectAsList()) {
      vectors.put(row.getLong(0), TestRows.vector(row, "pooled_output"));
    }
    return vectors;
  }

  private static double maxAbsDiff(Map<Long, float[]> actual, Map<Long, float[]> expected) {
    double max = 0;
    for (Map.Entry<Long, float[]> entry : expected.entrySet()) {
      float[] other = actual.get(entry.getKey());
      if (other == null) {
        return Double.POSITIVE_INFINITY;
      }
      max = Math.max(max, TestRows.maxAbsDiff(entry.getValue(), other));
    }
    return max;
  }

  /** Every path under {@code dir}, relative to it, sorted; empty when {@code dir} is absent or empty. */
  private static List<String> listing(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(path -> !path.equals(dir)).map(path -> dir.relativize(path).toString()).sorted().toList();
    }
  }
}
