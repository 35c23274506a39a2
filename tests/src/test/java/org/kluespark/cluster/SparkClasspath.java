package org.kluespark.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.kluespark.testing.TestModels;

/**
 * What a JVM started by a test needs to look like a real Spark deployment: Spark's own jars only (the test
 * classpath minus kluespark and what the job jar or {@code --jars} bring), the {@code --add-opens} flags Spark 4
 * needs on Java 17, and the shaded job jar plus the jars {@code --jars} passes.
 */
public final class SparkClasspath {
  // What the shaded jar or --jars must bring; everything else on the test classpath is Spark's.
  private static final List<String> NOT_SPARK = List.of("kluespark", "onnxruntime", "/ai/djl/", "picocli",
      "langchain4j", "tribuo", "junit", "assertj", "opentest4j", "apiguardian", "surefire", "failsafe",
      "spark-connect-client-jvm");

  private SparkClasspath() {}

  /** The test classpath's Spark jars (Spark, Scala, Hadoop client and their dependencies), in order. */
  public static List<String> sparkOnly() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.isBlank() && NOT_SPARK.stream().noneMatch(entry::contains))
        .toList();
  }

  /** onnxruntime_gpu and the MiniLM jar, comma-separated for {@code --jars}, as the README's --packages line. */
  public static String extraJars() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> entry.contains("onnxruntime_gpu") || entry.contains("langchain4j-embeddings-all-minilm"))
        .collect(Collectors.joining(","));
  }

  /** The application jar {@code ./mvnw package} built in the job module. */
  public static Path shadedJar() throws IOException {
    Path target = TestModels.repoRoot().resolve("job/target");
    if (Files.isDirectory(target)) {
      try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "kluespark-job-*-spark.jar")) {
        for (Path jar : jars) {
          return jar;
        }
      }
    }
    throw new AssertionError("No kluespark-job-*-spark.jar in " + target + "; run ./mvnw verify (it builds the "
        + "job module before the tests module).");
  }

  /** {@code java} of the running JVM. */
  public static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The root pom's {@code spark.java.opens} (failsafe passes it as a system property). */
  public static List<String> javaOpens() {
    String opens = System.getProperty("spark.java.opens", "").trim();
    return opens.isEmpty() ? List.of() : Arrays.asList(opens.split("\\s+"));
  }

  /** java, heap, opens, a log4j2 configuration and the Spark-only classpath, then the main class. */
  public static List<String> javaCommand(String heap, Path log4jConfig, String mainClass) {
    List<String> command = new ArrayList<>();
    command.add(java());
    command.add(heap);
    command.addAll(javaOpens());
    command.add("-Dlog4j.configurationFile=" + log4jConfig);
    command.add("-cp");
    command.add(String.join(File.pathSeparator, sparkOnly()));
    command.add(mainClass);
    return command;
  }
}
