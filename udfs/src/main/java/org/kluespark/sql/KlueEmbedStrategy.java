package org.kluespark.sql;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.SparkStrategy;
import scala.collection.immutable.Seq;

/**
 * Plans {@link KlueEmbedEval} as {@link KlueEmbedExec}. Here, on the driver, the model is read and validated
 * once (cached per path) and broadcast once per SparkContext, exactly as {@code TextEmbedder.transform} does.
 */
public final class KlueEmbedStrategy extends SparkStrategy {
  private final SparkSession session;

  public KlueEmbedStrategy(SparkSession session) {
    this.session = session;
  }

  @Override
  public Seq<SparkPlan> apply(LogicalPlan plan) {
    if (plan instanceof KlueEmbedEval eval) {
      KlueSqlOptions options = eval.call().options();
      return Seqs.of(new KlueEmbedExec(eval.call(), eval.result(), planLater(eval.child()),
          options.toEmbedder().partitionEmbedder(session.sparkContext())));
    }
    return Seqs.of();
  }
}
