package org.kluespark.benchmark;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.kluespark.stage.TextEmbedder;

/**
 * Duplicate reuse (each distinct text of a window embedded once), switched by name through Spark's generic
 * Params API: the harness compiles and runs the systems without reuse on a build whose TextEmbedder has no
 * {@value #PARAM} Param yet.
 */
final class ReuseDuplicates {
  /** The stage's Param. */
  static final String PARAM = "reuseDuplicates";
  /** The SQL functions' setting. */
  static final String SQL_CONF = "spark.kluespark.reuseDuplicates";

  private ReuseDuplicates() {}

  /** Whether this build's TextEmbedder has the Param. */
  static boolean available() {
    return new TextEmbedder().hasParam(PARAM);
  }

  /**
   * Sets the Param on {@code stage}. Without the Param, {@code reuse=false} is what the stage does anyway, and
   * {@code reuse=true} fails naming the stage and the Param.
   */
  static void set(Params stage, boolean reuse) {
    if (stage.hasParam(PARAM)) {
      Param<Object> param = stage.getParam(PARAM);
      stage.set(param, Boolean.valueOf(reuse));
    } else if (reuse) {
      throw new IllegalStateException(stage.getClass().getSimpleName() + " has no Param '" + PARAM
          + "', so this build cannot embed each distinct text once (issue 12); leave the *-reuse systems out");
    }
  }
}
