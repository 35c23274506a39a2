package org.kluespark.sql;

import org.apache.spark.sql.ExperimentalMethods;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.internal.SessionState;

/**
 * Spark 3.5 side of the session internals the SQL functions register into: Spark 3.5 has them on
 * {@code SparkSession} itself, Spark 4.0 on {@code org.apache.spark.sql.classic.SparkSession}
 * ({@code src/main/spark-4.0/java} holds the twin).
 */
final class ClassicSession {
  private ClassicSession() {}

  static SessionState state(SparkSession spark) {
    return spark.sessionState();
  }

  static ExperimentalMethods experimental(SparkSession spark) {
    return spark.experimental();
  }
}
