package org.kluespark.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.apache.spark.sql.SparkSession;

/**
 * One local[2] SparkSession for all tests of a surefire JVM: starting Spark takes seconds, so test classes
 * share it and never stop it (the JVM's exit does). Tables go to a fresh temporary warehouse; where Delta Lake is
 * on the test classpath (job, tests), the session has its SQL extension and catalog, as on Databricks.
 */
public final class SparkTestSession {
  private static SparkSession spark;

  private SparkTestSession() {}

  private static final String DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";
  private static final String DELTA_CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog";

  public static synchronized SparkSession get() {
    if (spark == null || spark.sparkContext().isStopped()) {
      SparkSession.Builder builder = SparkSession.builder()
          .master("local[2]")
          .appName("kluespark-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "4")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.sql.warehouse.dir", temporaryWarehouse());
      if (deltaOnClasspath()) {
        builder.config("spark.sql.extensions", DELTA_EXTENSION)
            .config("spark.sql.catalog.spark_catalog", DELTA_CATALOG);
      }
      spark = builder.getOrCreate();
    }
    return spark;
  }

  /** Whether Delta Lake is on this test JVM's classpath (job and tests modules; not udfs). */
  public static boolean deltaOnClasspath() {
    try {
      Class.forName(DELTA_EXTENSION, false, SparkTestSession.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static String temporaryWarehouse() {
    try {
      return Files.createTempDirectory("kluespark-warehouse").toUri().toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
