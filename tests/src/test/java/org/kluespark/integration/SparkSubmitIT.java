package org.kluespark.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;

/**
 * The job jar under {@code spark-submit}: a separate JVM with only Spark's own jars on its classpath (as a
 * cluster has), the shaded {@code kluespark-job-*-spark.jar} as the application, and onnxruntime_gpu plus
 * the MiniLM jar passed with {@code --jars}, as the README's {@code --packages} line does.
 */
class SparkSubmitIT {
  // What the shaded jar or --jars must bring; everything else on the test classpath is Spark's.
  private static final List<String> NOT_SPARK = List.of("kluespark", "onnxruntime", "/ai/djl/", "picocli",
      "langchain4j", "tribuo", "junit", "assertj", "opentest4j", "apiguardian", "surefire", "failsafe");

  @TempDir
  Path tmp;

  @Test
  void embedRunsUnderSparkSubmitWithTheShadedJar() throws Exception {
    Path jar = shadedJar();
    List<String> classpath = Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
    String sparkOnly = classpath.stream().filter(entry -> NOT_SPARK.stream().noneMatch(entry::contains))
        .collect(Collectors.joining(File.pathSeparator));
    String extraJars = classpath.stream()
        .filter(entry -> entry.contains("onnxruntime_gpu") || entry.contains("langchain4j-embeddings-all-minilm"))
        .collect(Collectors.joining(","));
    Path input = TestModels.repoRoot().resolve("datasets/klue-nli-sample.jsonl");
    Path output = tmp.resolve("embeddings");

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx2g");
    command.addAll(Arrays.asList(System.getProperty("spark.java.opens", "").trim().split("\\s+")));
    command.add("-Dlog4j.configurationFile=" + TestModels.repoRoot().resolve("conf/log4j2.properties"));
    command.addAll(List.of("-cp", sparkOnly, "org.apache.spark.deploy.SparkSubmit",
        "--master", "local[2]", "--class", "org.kluespark.job.KlueSparkCli", "--jars", extraJars,
        "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1",
        jar.toString(),
        "embed", "--model", "minilm", "--input", input.toString(), "--text-col", "premise",
        "--pair-col", "hypothesis", "--output", output.toString()));
    Path log = tmp.resolve("spark-submit.log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("KLUESPARK_CACHE", System.getProperty("kluespark.cache"));
    Process process = builder.start();
    boolean finished = process.waitFor(5, TimeUnit.MINUTES);
    if (!finished) {
      process.destroyForcibly();
    }
    String printed = Files.readString(log);
    assertThat(finished).as("spark-submit finished within 5 minutes:\n" + printed).isTrue();
    assertThat(process.exitValue()).as("spark-submit exit code; output:\n" + printed).isZero();
    assertThat(printed).contains("kluespark: embedded");

    long inputRows = Files.readAllLines(input).stream().filter(line -> !line.isBlank()).count();
    Dataset<Row> written = SparkTestSession.get().read().parquet(output.toString());
    assertThat(written.count()).isEqualTo(inputRows);
    assertThat(TestRows.vector(written.first(), "pooled_output")).hasSize(384);
  }

  private static Path shadedJar() throws IOException {
    Path target = TestModels.repoRoot().resolve("job/target");
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "kluespark-job-*-spark.jar")) {
      for (Path jar : jars) {
        return jar;
      }
    }
    throw new AssertionError("No kluespark-job-*-spark.jar in " + target + "; run ./mvnw verify (it builds the "
        + "job module before the tests module).");
  }
}
