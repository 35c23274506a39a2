package org.kluespark.testing;

import org.apache.spark.sql.SparkSession;

/**
 * One local[2] SparkSession for all tests of a surefire JVM: starting Spark takes seconds, so test classes
 * share it and never stop it (the JVM's exit does).
 */
public final class SparkTestSession {
  private static SparkSession spark;

  private SparkTestSession() {}

  public static synchronized SparkSession get() {
    if (spark == null || spark.sparkContext().isStopped()) {
      spark = SparkSession.builder()
          .master("local[2]")
          .appName("kluespark-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "4")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .getOrCreate();
    }
    return spark;
  }
}
