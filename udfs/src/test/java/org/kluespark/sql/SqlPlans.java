package org.kluespark.sql;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.adaptive.QueryStageExec;
import org.kluespark.metrics.EmbeddingMetrics;

/** Finds the batched embedding nodes of an executed query, for their counters. */
final class SqlPlans {
  private SqlPlans() {}

  static List<KlueEmbedExec> embedNodes(Dataset<?> executed) {
    List<KlueEmbedExec> found = new ArrayList<>();
    collect(executed.queryExecution().executedPlan(), found);
    return found;
  }

  /** The counters of the query's embedding nodes, added up. */
  static EmbeddingMetrics metrics(Dataset<?> executed) {
    EmbeddingMetrics total = EmbeddingMetrics.ZERO;
    for (KlueEmbedExec node : embedNodes(executed)) {
      total = total.plus(node.embedder().counters().value());
    }
    return total;
  }

  private static void collect(SparkPlan plan, List<KlueEmbedExec> found) {
    if (plan instanceof KlueEmbedExec exec) {
      found.add(exec);
    }
    if (plan instanceof AdaptiveSparkPlanExec adaptive) {
      collect(adaptive.executedPlan(), found);
    }
    if (plan instanceof QueryStageExec stage) {
      collect(stage.plan(), found);
    }
    for (SparkPlan child : Seqs.toList(plan.children())) {
      collect(child, found);
    }
  }
}
