package org.kluespark.job;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The SparkSession a command runs on: the running one when there is one (a notebook, a test, a caller in the
 * same JVM), else a new one that {@link #close()} stops. A session the CLI did not create is never stopped.
 */
final class SessionHandle implements AutoCloseable {
  static final String APP_NAME = "kluespark embed";
  private static final String LOCAL_MASTER = "local[*]";

  private final SparkSession spark;
  private final boolean owned;

  private SessionHandle(SparkSession spark, boolean owned) {
    this.spark = spark;
    this.owned = owned;
  }

  /**
   * @param master --master, or null: spark-submit's master (system property spark.master) or a spark.master
   *     from --conf, else local[*]
   */
  private static final String HEARTBEAT_INTERVAL = "spark.executor.heartbeatInterval";

  static SessionHandle obtain(String master, Map<String, String> sparkSettings, PrintWriter err) {
    return obtain(master, sparkSettings, false, err);
  }

  /**
   * @param configureDelta give a new session Delta Lake's SQL extension and catalog (a running session keeps what
   *     it has: DeltaSupport.requireSession checks it)
   */
  static SessionHandle obtain(String master, Map<String, String> sparkSettings, boolean configureDelta,
      PrintWriter err) {
    SparkSession running = runningSession();
    if (running != null) {
      reuse(running, master, sparkSettings, err);
      return new SessionHandle(running, false);
    }
    SparkSession.Builder builder = builder(configureDelta
        ? DeltaSupport.sessionSettings(sparkSettings, System::getProperty) : sparkSettings);
    String chosen = master != null ? master : defaultMaster(sparkSettings);
    if (chosen != null) {
      builder.master(chosen);
    }
    return new SessionHandle(builder.getOrCreate(), true);
  }

  /** Applies the settings a running session can still take (runtime SQL ones) and says what it ignores. */
  private static void reuse(SparkSession running, String master, Map<String, String> sparkSettings, PrintWriter err) {
    List<String> ignored = new ArrayList<>();
    String runningMaster = running.sparkContext().master();
    if (master != null && !master.equals(runningMaster)) {
      ignored.add("--master " + master);
    }
    sparkSettings.forEach((key, value) -> {
      if (running.conf().isModifiable(key)) {
        running.conf().set(key, value);
      } else {
        ignored.add(key);
      }
    });
    if (!ignored.isEmpty()) {
      err.println("kluespark: running on the existing SparkSession (master " + runningMaster + "); these need a new "
          + "session and are ignored: " + String.join(", ", ignored));
    }
  }

  SparkSession spark() {
    return spark;
  }

  @Override
  public void close() {
    if (owned) {
      spark.stop();
    }
  }

  private static SparkSession.Builder builder(Map<String, String> sparkSettings) {
    SparkSession.Builder builder = SparkSession.builder().appName(APP_NAME)
        // Spark's console progress bar would interleave with ours on stderr.
        .config("spark.ui.showConsoleProgress", "false");
    if (System.getProperty(HEARTBEAT_INTERVAL) == null) { // spark-submit passes --conf as system properties
      // Running tasks report rows in executor heartbeats; 10 s (Spark's default) makes the progress line lag.
      builder.config(HEARTBEAT_INTERVAL, "3s");
    }
    sparkSettings.forEach(builder::config);
    return builder;
  }

  /** Null when Spark already knows its master (spark-submit sets the system property). */
  private static String defaultMaster(Map<String, String> sparkSettings) {
    if (sparkSettings.containsKey("spark.master") || System.getProperty("spark.master") != null) {
      return null;
    }
    return LOCAL_MASTER;
  }

  private static SparkSession runningSession() {
    scala.Option<SparkSession> session = SparkSession.getActiveSession();
    if (session.isEmpty()) {
      session = SparkSession.getDefaultSession();
    }
    if (session.isEmpty() || session.get().sparkContext().isStopped()) {
      return null;
    }
    return session.get();
  }
}
