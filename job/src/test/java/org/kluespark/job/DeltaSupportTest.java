package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Delta's jar and session settings, through the class-presence, conf and environment seams. */
class DeltaSupportTest {
  private static final Map<String, String> NONE = Map.of();

  @Test
  void missingJarNamesThePackageOfThisSparkLine() {
    assertThatThrownBy(() -> DeltaSupport.requireJar("--output-format delta", className -> false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--output-format delta needs Delta Lake, which is not on the classpath. Add it: spark-submit "
            + "--packages " + DeltaSupport.packageCoordinate() + " (the Delta release for this build's Spark line); "
            + "on Databricks, Delta is built in.");
    DeltaSupport.requireJar("--format delta", DeltaSupport::classPresent); // the test classpath has it
  }

  @Test
  void packageCoordinateIsTheDeltaJarThisBuildRunsWith() throws Exception {
    String scalaBinary = scala.util.Properties.versionNumberString().replaceAll("^(\\d+\\.\\d+)\\..*", "$1");
    String coordinate = DeltaSupport.packageCoordinate();
    assertThat(coordinate).startsWith("io.delta:delta-spark_" + scalaBinary + ":");

    // The jar Maven put on this classpath is delta-spark_<scala>-<version>.jar: the same release.
    String jar = Class.forName(DeltaSupport.EXTENSION).getProtectionDomain().getCodeSource().getLocation().getPath();
    String[] parts = coordinate.split(":");
    assertThat(jar).endsWith("/" + parts[1] + "-" + parts[2] + ".jar");
  }

  @Test
  void newSessionGetsTheExtensionAppendedAndTheCatalog() {
    Map<String, String> given = new LinkedHashMap<>();
    given.put(DeltaSupport.EXTENSIONS_KEY, "org.kluespark.sql.KlueSparkExtensions");
    given.put("spark.task.cpus", "2");

    Map<String, String> settings = DeltaSupport.sessionSettings(given, key -> null);
    assertThat(settings).containsEntry(DeltaSupport.EXTENSIONS_KEY,
            "org.kluespark.sql.KlueSparkExtensions," + DeltaSupport.EXTENSION)
        .containsEntry(DeltaSupport.CATALOG_KEY, DeltaSupport.CATALOG)
        .containsEntry("spark.task.cpus", "2");

    assertThat(DeltaSupport.sessionSettings(NONE, key -> null))
        .containsEntry(DeltaSupport.EXTENSIONS_KEY, DeltaSupport.EXTENSION);
  }

  @Test
  void settingsAlreadyThereAreKept() {
    Map<String, String> given = Map.of(DeltaSupport.EXTENSIONS_KEY, DeltaSupport.EXTENSION + ", other.Extension",
        DeltaSupport.CATALOG_KEY, "my.Catalog");
    assertThat(DeltaSupport.sessionSettings(given, key -> null)).isEqualTo(given);

    // spark-submit's --conf arrive as system properties: appended to, not replaced.
    Map<String, String> fromSubmit = DeltaSupport.sessionSettings(NONE,
        key -> key.equals(DeltaSupport.EXTENSIONS_KEY) ? "org.kluespark.sql.KlueSparkExtensions" : null);
    assertThat(fromSubmit.get(DeltaSupport.EXTENSIONS_KEY))
        .isEqualTo("org.kluespark.sql.KlueSparkExtensions," + DeltaSupport.EXTENSION);
  }

  @Test
  void runningSessionWithoutDeltaSaysWhichConfToAdd() {
    assertThatThrownBy(() -> DeltaSupport.requireSession(
            key -> key.equals(DeltaSupport.EXTENSIONS_KEY) ? "org.kluespark.sql.KlueSparkExtensions" : null,
            name -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("The running SparkSession is not set up for Delta Lake, and Delta settings cannot be added to a "
            + "running session. Start it with --conf spark.sql.extensions=org.kluespark.sql.KlueSparkExtensions,"
            + "io.delta.sql.DeltaSparkSessionExtension --conf spark.sql.catalog.spark_catalog="
            + "org.apache.spark.sql.delta.catalog.DeltaCatalog.");

    assertThatThrownBy(() -> DeltaSupport.requireSession(
            key -> key.equals(DeltaSupport.EXTENSIONS_KEY) ? DeltaSupport.EXTENSION : null, name -> null))
        .hasMessageEndingWith("Start it with --conf spark.sql.catalog.spark_catalog="
            + "org.apache.spark.sql.delta.catalog.DeltaCatalog.");
  }

  @Test
  void runningSessionWithDeltaOrOnDatabricksPasses() {
    DeltaSupport.requireSession(Map.of(DeltaSupport.EXTENSIONS_KEY, DeltaSupport.EXTENSION,
        DeltaSupport.CATALOG_KEY, DeltaSupport.CATALOG)::get, name -> null);
    DeltaSupport.requireSession(key -> null, name -> name.equals("DATABRICKS_RUNTIME_VERSION") ? "16.4" : null);
  }
}
