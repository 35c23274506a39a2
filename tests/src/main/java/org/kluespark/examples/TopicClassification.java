package org.kluespark.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.kluespark.datasets.KlueDatasets;
import org.kluespark.stage.TextEmbedder;

/**
 * KLUE TC (YNAT) as one Spark ML Pipeline: TextEmbedder(title, vector) → StringIndexer(label) →
 * LogisticRegression → IndexToString, scored with KLUE's macro F1. A linear probe on frozen embeddings.
 */
public final class TopicClassification {
  static final String USAGE = "TopicClassification --model DIR|minilm --train YNAT_FILE [--dev YNAT_FILE] "
      + "[--limit N] [--save DIR]";

  private TopicClassification() {}

  /** The fitted pipeline and its predictions on the evaluation rows. */
  public record Result(PipelineModel model, long trainRows, List<String> gold, List<String> predicted,
      double macroF1) {}

  /** The unfitted pipeline: {@code title} → {@code prediction} (an index into the indexer's labels). */
  public static Pipeline pipeline(String modelPath) {
    TextEmbedder embedder = new TextEmbedder().setModelPath(modelPath).setInputCol("title")
        .setPooledOutputCol("features").setOutputType("vector").setMaxSeqLength(64);
    StringIndexer indexer = new StringIndexer().setInputCol("label").setOutputCol("label_index")
        .setHandleInvalid("keep"); // a dev label missing from train must not fail scoring
    LogisticRegression classifier = new LogisticRegression().setFeaturesCol("features")
        .setLabelCol("label_index").setMaxIter(100);
    return new Pipeline().setStages(new PipelineStage[] {embedder, indexer, classifier});
  }

  /** Fits on {@code trainPath} and scores on {@code devPath} (null: a seeded 80/20 split of the training rows). */
  public static Result run(SparkSession spark, String modelPath, String trainPath, String devPath, int limit) {
    Dataset<Row>[] split = ExampleData.trainAndEval(
        ExampleData.limited(KlueDatasets.ynat(spark, trainPath), limit),
        devPath == null ? null : ExampleData.limited(KlueDatasets.ynat(spark, devPath), limit));
    Dataset<Row> train = split[0].cache();
    PipelineModel model = pipeline(modelPath).fit(train);
    List<String> gold = new ArrayList<>();
    List<String> predicted = new ArrayList<>();
    String[] labels = ExampleData.labels(model);
    for (Row row : predictions(model, split[1])) {
      gold.add(row.getString(0));
      predicted.add(ExampleData.label(labels, row.getDouble(1)));
    }
    return new Result(model, train.count(), gold, predicted, KlueMetrics.macroF1(gold, predicted));
  }

  /** {@code (label, prediction, probability, guid)} of every row, in guid order. */
  public static List<Row> predictions(PipelineModel model, Dataset<Row> rows) {
    return model.transform(rows).select("label", "prediction", "probability", "guid").orderBy("guid").collectAsList();
  }

  public static void main(String[] args) throws Exception {
    ExampleArgs options = new ExampleArgs("TopicClassification", USAGE,
        Set.of("model", "train", "dev", "limit", "save"), args);
    SparkSession spark = ExampleData.session("kluespark-ynat");
    Result result = run(spark, options.required("model"), options.required("train"),
        options.optional("dev", null), options.optionalInt("limit", 0));
    System.out.printf("YNAT topic classification: macro F1 %.4f on %d rows (trained on %d rows)%n",
        result.macroF1(), result.gold().size(), result.trainRows());
    String save = options.optional("save", null);
    if (save != null) {
      result.model().write().overwrite().save(save);
      System.out.println("saved the PipelineModel to " + save);
    }
  }
}
