package org.kluespark.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.kluespark.cluster.SparkClasspath;
import org.kluespark.testing.TestModels;

/**
 * Runs SQL statements from a Spark Connect client in a child JVM ({@link ConnectSqlClientMain}) and reads back what
 * it collected. That JVM's classpath is the spark-connect-client-jvm jar (which shades gRPC, protobuf, Arrow and
 * Spark's SQL API), the Spark jars its pom names (common-utils, unsafe, variant, sketch, tags), every
 * non-Spark jar of the test classpath (Scala, Jackson, logging...), and this module's test classes for the main
 * class: no classic Spark SQL, no Delta, no kluespark. It cannot share the test JVM, whose classpath has classic
 * Spark and the Connect server jar: both jars hold {@code org.apache.spark.connect.proto} classes, shaded against
 * different protobuf relocations.
 */
public final class ConnectClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  // The Spark artifacts spark-connect-client-jvm depends on without shading them.
  private static final List<String> CLIENT_SPARK_JARS = List.of("spark-connect-client-jvm_", "spark-common-utils_",
      "spark-unsafe_", "spark-variant_", "spark-sketch_", "spark-tags_");
  // Jar name prefixes of the test classpath that the client must not see.
  private static final List<String> SERVER_SIDE = List.of("spark-", "delta-", "kluespark-", "onnxruntime",
      "langchain4j-", "tribuo-", "junit-", "assertj-", "opentest4j-", "apiguardian-", "surefire", "failsafe");

  /** What the client JVM reported about itself, and one entry per statement. */
  public record Run(JsonNode client, List<Statement> statements, String output) {}

  /** One statement's collected rows (each a JSON array of column values), or its error. */
  public record Statement(String sql, List<String> columns, List<JsonNode> rows, String error, String message) {
    public boolean failed() {
      return error != null;
    }
  }

  private ConnectClient() {}

  /**
   * Runs {@code statements} in one Spark Connect session against {@code server}; fails with the client's and the
   * server's output if the client JVM does not exit 0 within {@code timeout}.
   */
  public static Run run(ConnectServer server, String name, Duration timeout, String... statements)
      throws IOException, InterruptedException {
    Path results = server.dir().resolve(name + ".jsonl");
    Path log = server.dir().resolve(name + ".log");
    Path script = Files.writeString(server.dir().resolve(name + "-statements.json"),
        JSON.writeValueAsString(statements), StandardCharsets.UTF_8);
    List<String> command = new ArrayList<>(List.of(SparkClasspath.java(), "-Xmx384m"));
    command.addAll(SparkClasspath.javaOpens()); // Arrow, inside the client jar, needs java.nio opened
    command.add("-Dlog4j.configurationFile=" + TestModels.repoRoot().resolve("conf/log4j2.properties"));
    command.addAll(List.of("-cp", classpath(), ConnectSqlClientMain.class.getName(), server.url(),
        results.toString(), script.toString()));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      throw new AssertionError("The Spark Connect client did not finish within " + timeout + ":\n"
          + Files.readString(log) + "\n" + server.log());
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    if (process.exitValue() != 0 || !Files.exists(results)) {
      throw new AssertionError("The Spark Connect client exited with " + process.exitValue() + ":\n" + output
          + "\n" + server.log());
    }
    List<String> lines = Files.readAllLines(results, StandardCharsets.UTF_8);
    List<Statement> parsed = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      JsonNode node = JSON.readTree(line);
      List<String> columns = new ArrayList<>();
      node.path("columns").forEach(column -> columns.add(column.asText()));
      List<JsonNode> rows = new ArrayList<>();
      node.path("rows").forEach(rows::add);
      parsed.add(new Statement(node.path("sql").asText(), columns, rows,
          node.hasNonNull("error") ? node.get("error").asText() : null,
          node.hasNonNull("message") ? node.get("message").asText() : null));
    }
    if (parsed.size() != statements.length) {
      throw new AssertionError("The Spark Connect client answered " + parsed.size() + " of " + statements.length
          + " statements:\n" + output);
    }
    return new Run(JSON.readTree(lines.get(0)).get("client"), parsed, output);
  }

  /** The client JVM's classpath, from the test classpath (see the class comment). */
  static String classpath() {
    List<String> entries = new ArrayList<>();
    try {
      entries.add(Path.of(ConnectSqlClientMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("Cannot locate the test classes", e);
    }
    boolean clientJar = false;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String name = Path.of(entry).getFileName().toString();
      if (!name.endsWith(".jar")) {
        continue;
      }
      boolean clientSpark = CLIENT_SPARK_JARS.stream().anyMatch(name::startsWith);
      clientJar |= name.startsWith(CLIENT_SPARK_JARS.get(0));
      if (clientSpark || SERVER_SIDE.stream().noneMatch(name::startsWith) && !entry.contains("/ai/djl/")) {
        entries.add(entry);
      }
    }
    if (!clientJar) {
      throw new AssertionError("No spark-connect-client-jvm jar on the test classpath: " + Arrays.toString(
          System.getProperty("java.class.path").split(File.pathSeparator)));
    }
    return String.join(File.pathSeparator, entries);
  }
}
