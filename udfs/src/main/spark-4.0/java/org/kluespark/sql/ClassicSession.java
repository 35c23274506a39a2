package org.kluespark.sql;

import org.apache.spark.sql.ExperimentalMethods;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.internal.SessionState;

/**
 * Spark 4.0 side of the session internals the SQL functions register into: since Spark 4.0 they live on
 * {@code org.apache.spark.sql.classic.SparkSession}, while Spark 3.5 has them on {@code SparkSession} itself
 * ({@code src/main/spark-3.5/java} holds the twin).
 */
final class ClassicSession {
  private ClassicSession() {}

  static SessionState state(SparkSession spark) {
    return classic(spark).sessionState();
  }

  static ExperimentalMethods experimental(SparkSession spark) {
    return classic(spark).experimental();
  }

  private static org.apache.spark.sql.classic.SparkSession classic(SparkSession spark) {
    return (org.apache.spark.sql.classic.SparkSession) spark;
  }
}
