package org.kluespark.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.kluespark.testing.TestModels;

/**
 * {@code kluespark embed} under {@code spark-submit} in its own JVM ({@code org.apache.spark.deploy.SparkSubmit}
 * with only Spark's jars on the classpath, the shaded job jar as the application, onnxruntime and MiniLM with
 * {@code --jars}), in client deploy mode: that JVM is the driver. Its stdout and stderr go to one log file.
 */
public final class EmbedSubmission {
  private final Process process;
  private final Path log;
  private final long startNanos = System.nanoTime();

  private EmbedSubmission(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * @param master {@code local[2]} or a cluster's {@link StandaloneCluster#masterUrl()}
   * @param sparkArgs extra spark-submit arguments before the jar ({@code --conf k=v}, {@code --total-executor-cores})
   * @param embedArgs the arguments after {@code embed}
   */
  public static EmbedSubmission start(Path log, String master, List<String> sparkArgs, List<String> embedArgs)
      throws IOException {
    List<String> command = new ArrayList<>(SparkClasspath.javaCommand("-Xmx1g",
        TestModels.repoRoot().resolve("conf/log4j2.properties"), "org.apache.spark.deploy.SparkSubmit"));
    command.addAll(List.of("--master", master, "--deploy-mode", "client",
        "--class", "org.kluespark.job.KlueSparkCli", "--jars", SparkClasspath.extraJars(),
        "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.driver.bindAddress=127.0.0.1"));
    command.addAll(sparkArgs);
    command.add(SparkClasspath.shadedJar().toString());
    command.add("embed");
    command.addAll(embedArgs);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(key -> key.startsWith("SPARK_"));
    builder.environment().put("KLUESPARK_CACHE", System.getProperty("kluespark.cache",
        TestModels.repoRoot().resolve("target/kluespark-cache").toString()));
    return new EmbedSubmission(builder.start(), log);
  }

  /** Waits for the JVM to exit (killing it after {@code timeout}) and returns its exit code. */
  public int awaitExit(Duration timeout) throws IOException, InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      kill();
      throw new AssertionError("spark-submit did not finish within " + timeout + ":\n" + output());
    }
    return process.exitValue();
  }

  /** Waits until a line of the log matches (progress lines are on stderr, in the same log). */
  public String awaitLine(Predicate<String> matches, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (String line : Files.readAllLines(log)) {
        if (matches.test(line)) {
          return line;
        }
      }
      if (!process.isAlive()) {
        throw new AssertionError("spark-submit exited (" + process.exitValue() + ") before the line expected:\n"
            + output());
      }
      Thread.sleep(100);
    }
    throw new AssertionError("No matching line within " + timeout + ":\n" + output());
  }

  /** SIGKILL to the driver JVM, as a crashed or killed driver. */
  public void kill() throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Seconds since the JVM started. */
  public double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** Everything the JVM printed so far. */
  public String output() throws IOException {
    return Files.readString(log);
  }
}
