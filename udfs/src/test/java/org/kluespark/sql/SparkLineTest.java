package org.kluespark.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.kluespark.testing.SparkTestSession;

/**
 * The tests run on the Spark and Scala line the build targets (4.0 / 2.13 by default, 3.5 / 2.12 with
 * {@code -Pspark-3.5}): the pom passes its {@code spark.version} and {@code scala.binary.version} in.
 */
class SparkLineTest {

  @Test
  void theSessionRunsTheSparkAndScalaVersionsOfThisBuild() {
    SparkSession spark = SparkTestSession.get();

    assertThat(spark.version()).isEqualTo(System.getProperty("kluespark.test.spark.version"));
    assertThat(scala.util.Properties.versionNumberString())
        .startsWith(System.getProperty("kluespark.test.scala.binary.version") + ".");
  }
}
