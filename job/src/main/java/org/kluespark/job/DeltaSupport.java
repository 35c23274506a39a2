package org.kluespark.job;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What a run that reads or writes Delta needs: the delta-spark jar, and a session with Delta's SQL extension and
 * catalog. A session the job builds gets them; a session that already runs (a notebook, spark-submit's caller) must
 * have them already, since neither can be added to a running session.
 */
final class DeltaSupport {
  static final String EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";
  static final String CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog";
  static final String EXTENSIONS_KEY = "spark.sql.extensions";
  static final String CATALOG_KEY = "spark.sql.catalog.spark_catalog";
  // Databricks runtimes ship Delta configured their own way (their extension list need not name Delta's class).
  private static final String DATABRICKS_RUNTIME_ENV = "DATABRICKS_RUNTIME_VERSION";
  private static final String BUILD_PROPERTIES = "delta.properties";

  private DeltaSupport() {}

  /** Whether delta-spark is on this JVM's classpath. */
  static boolean onClasspath() {
    return onClasspath(DeltaSupport::classPresent);
  }

  /** @param classPresent the class-presence check (a seam: tests pass one that says no) */
  static boolean onClasspath(Predicate<String> classPresent) {
    return classPresent.test(EXTENSION);
  }

  /**
   * Fails, naming the package to add for this Spark line, when delta-spark is missing.
   *
   * @param why the option that needs Delta, e.g. "--output-format delta"
   */
  static void requireJar(String why, Predicate<String> classPresent) {
    if (!onClasspath(classPresent)) {
      throw new IllegalArgumentException(why + " needs Delta Lake, which is not on the classpath. Add it: "
          + "spark-submit --packages " + packageCoordinate() + " (the Delta release for this build's Spark line); "
          + "on Databricks, Delta is built in.");
    }
  }

  /** {@code io.delta:delta-spark_2.13:4.0.1}: from the build's resources, so the versions live only in the pom. */
  static String packageCoordinate() {
    Properties build = new Properties();
    try (InputStream in = DeltaSupport.class.getResourceAsStream(BUILD_PROPERTIES)) {
      if (in == null) {
        throw new IllegalStateException(BUILD_PROPERTIES + " is missing from the kluespark job jar; rebuild it.");
      }
      build.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + BUILD_PROPERTIES, e);
    }
    return "io.delta:delta-spark_" + build.getProperty("scala.binary.version") + ":"
        + build.getProperty("delta.version");
  }

  /**
   * The settings for a new session: {@code given} plus Delta's extension appended to any other extensions (ours,
   * for example) and Delta's catalog unless one is given.
   *
   * @param systemProperty spark-submit passes its --conf values as system properties, which the builder's own
   *     values would otherwise replace
   */
  static Map<String, String> sessionSettings(Map<String, String> given, Function<String, String> systemProperty) {
    Map<String, String> settings = new LinkedHashMap<>(given);
    String extensions = settings.getOrDefault(EXTENSIONS_KEY, systemProperty.apply(EXTENSIONS_KEY));
    if (!names(extensions).contains(EXTENSION)) {
      settings.put(EXTENSIONS_KEY, extensions == null || extensions.isBlank() ? EXTENSION
          : extensions + "," + EXTENSION);
    }
    if (!settings.containsKey(CATALOG_KEY) && systemProperty.apply(CATALOG_KEY) == null) {
      settings.put(CATALOG_KEY, CATALOG);
    }
    return settings;
  }

  /**
   * Fails before any work when a running session lacks Delta's extension or catalog, saying which --conf to add.
   *
   * @param conf the session's value of a key, or null when unset
   * @param env an environment variable's value, or null
   */
  static void requireSession(Function<String, String> conf, Function<String, String> env) {
    if (env.apply(DATABRICKS_RUNTIME_ENV) != null) {
      return;
    }
    List<String> missing = new ArrayList<>();
    String extensions = conf.apply(EXTENSIONS_KEY);
    if (!names(extensions).contains(EXTENSION)) {
      String value = extensions == null || extensions.isBlank() ? EXTENSION : extensions + "," + EXTENSION;
      missing.add("--conf " + EXTENSIONS_KEY + "=" + value);
    }
    if (conf.apply(CATALOG_KEY) == null) {
      missing.add("--conf " + CATALOG_KEY + "=" + CATALOG);
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("The running SparkSession is not set up for Delta Lake, and Delta "
          + "settings cannot be added to a running session. Start it with " + String.join(" ", missing) + ".");
    }
  }

  private static List<String> names(String extensions) {
    if (extensions == null) {
      return List.of();
    }
    return Arrays.stream(extensions.split(",")).map(String::strip).toList();
  }

  /** Whether the class loads: the real check behind the seams above. */
  static boolean classPresent(String className) {
    try {
      Class.forName(className, false, DeltaSupport.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
