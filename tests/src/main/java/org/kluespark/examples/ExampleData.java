package org.kluespark.examples;

import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** What the examples share: their Spark session and how they pick training and evaluation rows. */
final class ExampleData {
  static final long SPLIT_SEED = 42L;
  static final double TEST_FRACTION = 0.2;

  private ExampleData() {}

  /** The running session, or a local one on every core when the example runs as a plain Java program. */
  static SparkSession session(String appName) {
    return SparkSession.builder().master("local[*]").appName(appName)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate();
  }

  /** The first {@code limit} rows ({@code limit <= 0}: all), spread over the cores for embedding. */
  static Dataset<Row> limited(Dataset<Row> rows, int limit) {
    Dataset<Row> kept = limit > 0 ? rows.limit(limit) : rows;
    // Cached so that a random split of it, computed twice (train, eval), sees the same rows both times.
    return kept.repartition(Math.max(2, rows.sparkSession().sparkContext().defaultParallelism())).cache();
  }

  /**
   * {train, eval}: both given files, or, without an evaluation file, a seeded 80/20 split of the training rows
   * (the way the examples score on a dev set alone, e.g. NLI's).
   */
  static Dataset<Row>[] trainAndEval(Dataset<Row> train, Dataset<Row> eval) {
    if (eval != null) {
      @SuppressWarnings("unchecked")
      Dataset<Row>[] both = new Dataset[] {train, eval};
      return both;
    }
    return train.randomSplit(new double[] {1 - TEST_FRACTION, TEST_FRACTION}, SPLIT_SEED);
  }

  /**
   * The labels a fitted pipeline's StringIndexer learnt, indexed like LogisticRegression's {@code prediction}.
   * (IndexToString cannot sit in the pipeline: the classifier's prediction column carries no label names.)
   */
  static String[] labels(PipelineModel model) {
    for (Transformer stage : model.stages()) {
      if (stage instanceof StringIndexerModel indexer) {
        return indexer.labelsArray()[0];
      }
    }
    throw new IllegalArgumentException("the pipeline has no StringIndexerModel stage to name its predictions");
  }

  /** A prediction (a label index) as its label. */
  static String label(String[] labels, double prediction) {
    return labels[(int) prediction];
  }
}
