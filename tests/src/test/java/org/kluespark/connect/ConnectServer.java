package org.kluespark.connect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.kluespark.cluster.SparkClasspath;
import org.kluespark.cluster.StandaloneCluster;
import org.kluespark.testing.TestModels;

/**
 * A Spark Connect server for tests, in its own JVM on loopback: what {@code sbin/start-connect-server.sh} runs,
 * {@code spark-submit --class org.apache.spark.sql.connect.service.SparkConnectServer spark-internal}, with Spark's
 * jars (the spark-connect server jar among them, as in a Spark 4 distribution) on the classpath and kluespark as
 * {@code --jars} (the shaded job jar, onnxruntime_gpu, MiniLM), {@code local[2]}, a free gRPC port and its own
 * warehouse. Delta's SQL extension and catalog are always configured, as on Databricks; the caller adds the rest
 * ({@code spark.sql.extensions} with kluespark's, {@code spark.kluespark.model}, ...).
 *
 * <p>{@link #start} returns once the gRPC port accepts connections, which the server opens after its
 * SparkSession is up. {@link #close()} (also run by a shutdown hook) sends SIGTERM to the server and its children,
 * then SIGKILL after 10 s. The server logs to {@code tests/target/connect-<id>/server.log}.
 */
public final class ConnectServer implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final String SERVER_MAIN = "org.apache.spark.sql.connect.service.SparkConnectServer";
  /** Delta's extension, kluespark's after it: the value a Databricks-like cluster would carry. */
  public static final String DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";
  public static final String KLUESPARK_EXTENSION = "org.kluespark.sql.KlueSparkExtensions";

  private final Path dir;
  private final int port;
  private final Process process;
  private final Path log;
  private final Thread shutdownHook = new Thread(this::stop, "connect-server-teardown");
  private boolean closed;

  private ConnectServer(Path dir, int port, Process process, Path log) {
    this.dir = dir;
    this.port = port;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts a server under {@code tests/target/connect-<id>} (emptied first) and waits until it accepts
   * connections.
   *
   * @param conf {@code --conf} pairs after the defaults (a key given here replaces the default's value)
   */
  public static ConnectServer start(String id, Map<String, String> conf) throws IOException {
    Path dir = TestModels.repoRoot().resolve("tests/target/connect-" + id);
    StandaloneCluster.deleteRecursively(dir);
    Files.createDirectories(dir);
    int port = freePort();
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("spark.ui.enabled", "false");
    settings.put("spark.driver.host", "127.0.0.1");
    settings.put("spark.driver.bindAddress", "127.0.0.1");
    settings.put("spark.connect.grpc.binding.address", "127.0.0.1");
    settings.put("spark.connect.grpc.binding.port", String.valueOf(port));
    settings.put("spark.sql.warehouse.dir", dir.resolve("warehouse").toUri().toString());
    settings.put("spark.sql.shuffle.partitions", "2");
    settings.put("spark.sql.extensions", DELTA_EXTENSION);
    settings.put("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    settings.putAll(conf);

    List<String> command = new ArrayList<>(SparkClasspath.javaCommand("-Xmx1g",
        TestModels.repoRoot().resolve("conf/log4j2.properties"), "org.apache.spark.deploy.SparkSubmit"));
    command.addAll(List.of("--master", "local[2]", "--class", SERVER_MAIN, "--name", "kluespark-connect-" + id,
        "--jars", SparkClasspath.shadedJar() + "," + SparkClasspath.extraJars()));
    settings.forEach((key, value) -> command.addAll(List.of("--conf", key + "=" + value)));
    command.add("spark-internal"); // spark-submit's "no application jar" marker, as start-connect-server.sh passes

    Path log = dir.resolve("server.log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
        .directory(dir.toFile());
    builder.environment().keySet().removeIf(key -> key.startsWith("SPARK_") || key.equals("HADOOP_CONF_DIR"));
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    builder.environment().put("KLUESPARK_CACHE", System.getProperty("kluespark.cache",
        TestModels.repoRoot().resolve("target/kluespark-cache").toString()));
    ConnectServer server = new ConnectServer(dir, port, builder.start(), log);
    Runtime.getRuntime().addShutdownHook(server.shutdownHook);
    try {
      server.awaitPort();
      return server;
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
  }

  /** {@code sc://127.0.0.1:<port>}, for {@code SparkSession.builder().remote(...)}. */
  public String url() {
    return "sc://127.0.0.1:" + port;
  }

  /** {@code tests/target/connect-<id>}: the log, the warehouse, and room for a test's own files. */
  public Path dir() {
    return dir;
  }

  /** The server's log so far (its stdout and stderr), for failure messages. */
  public String log() {
    try {
      return "--- " + log + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")") + "\n"
          + Files.readString(log);
    } catch (IOException | UncheckedIOException e) {
      return "(" + log + " unreadable: " + e.getMessage() + ")";
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or about to; nothing left to do
    }
  }

  /** SIGTERM to the server and anything it started, SIGKILL to what is left after 10 s. */
  private void stop() {
    List<ProcessHandle> handles = new ArrayList<>(process.descendants().toList());
    handles.add(process.toHandle());
    handles.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (ProcessHandle handle : handles) {
      try {
        handle.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (Exception notYet) {
        handle.destroyForcibly();
      }
    }
  }

  private void awaitPort() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("The Spark Connect server exited with " + process.exitValue()
            + " before it listened on " + url() + ".\n" + log());
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
        return;
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("The Spark Connect server does not listen on " + url() + " after "
            + START_TIMEOUT + ".\n" + log());
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while the Spark Connect server started", e);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public String toString() {
    return "ConnectServer[" + url() + ", " + dir + "]";
  }
}
