package org.kluespark.sql;

import org.apache.spark.sql.SparkSessionExtensions;
import scala.Tuple3;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * The {@code spark.sql.extensions} entry point: every session built with
 * {@code .config("spark.sql.extensions", "org.kluespark.sql.KlueSparkExtensions")} (or
 * {@code --conf spark.sql.extensions=...}) has the kluespark SQL functions, reading their model from
 * {@code spark.kluespark.model} (and {@code maxSeqLength}, {@code pooling}, {@code normalize},
 * {@code batchSize}) when each query is planned.
 */
public final class KlueSparkExtensions extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {

  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    for (KlueSqlFunctions.Definition definition : KlueSqlFunctions.definitions(KlueSqlOptions.FROM_SESSION_CONF)) {
      extensions.injectFunction(new Tuple3<>(definition.id(), definition.info(),
          CatalystNodes.functionBuilder(definition.builder())));
    }
    extensions.injectOptimizerRule(session -> new ExtractKlueEmbeddings());
    extensions.injectPlannerStrategy(KlueEmbedStrategy::new);
    return BoxedUnit.UNIT;
  }
}
