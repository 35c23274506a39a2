package org.kluespark.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.kluespark.testing.TestModels;

/**
 * A real Spark standalone cluster on loopback for tests: a {@code Master} and N {@code Worker}s, each a
 * separate JVM running Spark's own {@code org.apache.spark.deploy.master.Master} / {@code ...worker.Worker}
 * from the test classpath, on free ports. Workers launch executors as real {@code CoarseGrainedExecutorBackend}
 * JVMs, which a test can find ({@link #executors()}) and kill.
 *
 * <pre>{@code
 * try (StandaloneCluster cluster = StandaloneCluster.start("embed", 2)) {
 *   // spark-submit --master cluster.masterUrl() --deploy-mode client ...
 *   cluster.awaitExecutors(2, Duration.ofSeconds(60)).get(0).kill();
 * }
 * }</pre>
 *
 * <p>There is no Spark installation: {@code tests/target/cluster-<id>/spark-home} is generated, with
 * {@code jars/} linking the test classpath's Spark jars (the executors' classpath, which the Worker builds from
 * {@code SPARK_HOME/jars} as in a Spark distribution), a {@code RELEASE} marker (so that directory is used) and
 * {@code conf/log4j2.properties}. Each worker has its own work dir (executor stdout/stderr land there), and
 * every JVM logs to {@code tests/target/cluster-<id>/<name>.log}. {@link #close()} (also run by a shutdown
 * hook) ends the executors, workers and master: SIGTERM, then SIGKILL after 10 s.
 */
public final class StandaloneCluster implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final String EXECUTOR_MAIN = "org.apache.spark.executor.CoarseGrainedExecutorBackend";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final int masterPort;
  private final int masterWebUiPort;
  private final List<Daemon> daemons = new ArrayList<>(); // master first
  private final Thread shutdownHook = new Thread(this::stopAll, "standalone-cluster-teardown");
  private boolean closed;

  /** One JVM of the cluster and where it logs. */
  private record Daemon(String name, Process process, Path log) {}

  /** An executor JVM a worker launched: {@code kill()} sends SIGKILL, as a crashed or OOM-killed executor. */
  public record Executor(ProcessHandle process, String appId, String executorId) {
    public long pid() {
      return process.pid();
    }

    public void kill() {
      process.destroyForcibly();
    }
  }

  private StandaloneCluster(Path dir, int masterPort, int masterWebUiPort) {
    this.dir = dir;
    this.masterPort = masterPort;
    this.masterWebUiPort = masterWebUiPort;
  }

  /** Two workers of 1 core and 1536 MB each. */
  public static StandaloneCluster start(String id) throws IOException {
    return start(id, 2, 1, "1536m");
  }

  public static StandaloneCluster start(String id, int workers) throws IOException {
    return start(id, workers, 1, "1536m");
  }

  /**
   * Starts the master and {@code workers} workers under {@code tests/target/cluster-<id>} (emptied first) and
   * waits until every worker is registered with the master.
   *
   * @param memoryPerWorker what executors of a worker may use in all, as Spark's {@code --memory} ("1536m")
   */
  public static StandaloneCluster start(String id, int workers, int coresPerWorker, String memoryPerWorker)
      throws IOException {
    Path dir = TestModels.repoRoot().resolve("tests/target/cluster-" + id);
    deleteRecursively(dir);
    Path sparkHome = sparkHome(dir.resolve("spark-home"));
    StandaloneCluster cluster = new StandaloneCluster(dir, freePort(), freePort());
    Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
    try {
      cluster.launch("master", sparkHome, List.of("org.apache.spark.deploy.master.Master",
          "--host", "127.0.0.1", "--port", String.valueOf(cluster.masterPort),
          "--webui-port", String.valueOf(cluster.masterWebUiPort)));
      for (int i = 0; i < workers; i++) {
        Path workDir = Files.createDirectories(dir.resolve("worker-" + i));
        cluster.launch("worker-" + i, sparkHome, List.of("org.apache.spark.deploy.worker.Worker",
            "--host", "127.0.0.1", "--port", String.valueOf(freePort()), "--webui-port", String.valueOf(freePort()),
            "--cores", String.valueOf(coresPerWorker), "--memory", memoryPerWorker,
            "--work-dir", workDir.toString(), cluster.masterUrl()));
      }
      cluster.awaitWorkers(workers);
      return cluster;
    } catch (IOException | RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  /** {@code spark://127.0.0.1:<port>}, for {@code --master}. */
  public String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  /** The master's web UI, whose {@code /json/} lists workers and applications. */
  public URI masterWebUi() {
    return URI.create("http://127.0.0.1:" + masterWebUiPort + "/");
  }

  /** {@code tests/target/cluster-<id>}: logs, worker dirs, and room for a test's own files. */
  public Path dir() {
    return dir;
  }

  /** The master's state as its web UI serves it at {@code /json/} (aliveworkers, activeapps, completedapps...). */
  public JsonNode masterState() throws IOException {
    try (InputStream in = masterWebUi().resolve("json/").toURL().openStream()) {
      return JSON.readTree(in);
    }
  }

  /** The executor JVMs running now: descendants of the worker JVMs whose main class is Spark's executor backend. */
  public List<Executor> executors() {
    List<Executor> executors = new ArrayList<>();
    for (Daemon daemon : daemons) {
      if (!daemon.name().startsWith("worker")) {
        continue;
      }
      daemon.process().descendants().filter(ProcessHandle::isAlive).forEach(handle -> {
        String[] args = handle.info().arguments().orElse(new String[0]);
        if (List.of(args).contains(EXECUTOR_MAIN)) {
          executors.add(new Executor(handle, argument(args, "--app-id"), argument(args, "--executor-id")));
        }
      });
    }
    return executors;
  }

  /** Waits until {@code count} executor JVMs of one application run; fails with the logs after {@code timeout}. */
  public List<Executor> awaitExecutors(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<Executor> executors = executors();
      if (executors.size() >= count) {
        return executors;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Expected " + count + " executor JVMs, found " + executors + " after " + timeout
            + ".\n" + logTails());
      }
      Thread.sleep(100);
    }
  }

  /** Waits until no executor JVM runs (the workers stop an application's executors once it ends). */
  public void awaitNoExecutors(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!executors().isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Executor JVMs still run after " + timeout + ": " + executors() + "\n" + logTails());
      }
      Thread.sleep(100);
    }
  }

  /** The last lines of every daemon's log, for failure messages. */
  public String logTails() {
    StringBuilder tails = new StringBuilder();
    for (Daemon daemon : daemons) {
      tails.append("--- ").append(daemon.log()).append(daemon.process().isAlive() ? "" : " (exited "
          + daemon.process().exitValue() + ")").append('\n').append(tail(daemon.log(), 30));
    }
    return tails.toString();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or about to; nothing left to do
    }
  }

  /** Executors first (they would otherwise outlive their worker), then the workers, then the master. */
  private void stopAll() {
    List<ProcessHandle> handles = new ArrayList<>();
    for (int i = daemons.size() - 1; i >= 0; i--) {
      Process process = daemons.get(i).process();
      process.descendants().forEach(handles::add);
      handles.add(process.toHandle());
    }
    handles.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (ProcessHandle handle : handles) {
      long left = Math.max(0, deadline - System.nanoTime());
      try {
        handle.onExit().get(left, TimeUnit.NANOSECONDS);
      } catch (Exception notYet) {
        handle.destroyForcibly();
      }
    }
  }

  private void launch(String name, Path sparkHome, List<String> mainAndArgs) throws IOException {
    List<String> command = new ArrayList<>(
        SparkClasspath.javaCommand("-Xmx256m", sparkHome.resolve("conf/log4j2.properties"), mainAndArgs.get(0)));
    command.addAll(mainAndArgs.subList(1, mainAndArgs.size()));
    Path log = dir.resolve(name + ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
        .directory(dir.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(key -> key.startsWith("SPARK_") || key.equals("HADOOP_CONF_DIR"));
    // The worker builds executor commands from SPARK_HOME (jars/, conf/) with Spark's launcher library, which
    // needs the Scala version where a source build would tell it; java comes from java.home of the worker.
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_CONF_DIR", sparkHome.resolve("conf").toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("KLUESPARK_CACHE", System.getProperty("kluespark.cache",
        TestModels.repoRoot().resolve("target/kluespark-cache").toString()));
    daemons.add(new Daemon(name, builder.start(), log));
  }

  private void awaitWorkers(int workers) throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      for (Daemon daemon : daemons) {
        if (!daemon.process().isAlive()) {
          throw new IllegalStateException(daemon.name() + " exited with " + daemon.process().exitValue()
              + " while the cluster started.\n" + logTails());
        }
      }
      Optional<Integer> alive = aliveWorkers();
      if (alive.isPresent() && alive.get() == workers) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("The master at " + masterUrl() + " has " + alive.orElse(0) + " of "
            + workers + " workers after " + START_TIMEOUT + ".\n" + logTails());
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while the cluster started", e);
      }
    }
  }

  /** Empty while the master's web UI does not answer yet. */
  private Optional<Integer> aliveWorkers() {
    try {
      return Optional.of(masterState().path("aliveworkers").asInt());
    } catch (IOException notUpYet) {
      return Optional.empty();
    }
  }

  /** A SPARK_HOME as a distribution lays it out: RELEASE, jars/ (links to the Spark jars), conf/. */
  private static Path sparkHome(Path home) throws IOException {
    Path jars = Files.createDirectories(home.resolve("jars"));
    for (String entry : SparkClasspath.sparkOnly()) {
      Path jar = Path.of(entry);
      Path link = jars.resolve(jar.getFileName().toString());
      if (Files.isRegularFile(jar) && !Files.exists(link)) {
        Files.createSymbolicLink(link, jar.toAbsolutePath());
      }
    }
    Files.writeString(home.resolve("RELEASE"), "Spark jars of the kluespark test classpath (StandaloneCluster)\n");
    Path conf = Files.createDirectories(home.resolve("conf"));
    // The repository's quiet logging, plus the deploy classes' INFO lines (executor launches and exits).
    Files.writeString(conf.resolve("log4j2.properties"),
        Files.readString(TestModels.repoRoot().resolve("conf/log4j2.properties"))
            + "\nlogger.deploy.name = org.apache.spark.deploy\nlogger.deploy.level = info\n");
    return home;
  }

  private static String argument(String[] args, String name) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return "?";
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())) + "\n";
    } catch (IOException | UncheckedIOException e) {
      return "(unreadable: " + e.getMessage() + ")\n";
    }
  }

  /** Deletes a file or directory tree (symbolic links themselves, not their targets); absent is fine. */
  public static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Override
  public String toString() {
    return "StandaloneCluster[" + masterUrl() + ", " + dir + File.separator + "]";
  }
}
