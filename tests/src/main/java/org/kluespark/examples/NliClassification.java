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
 * KLUE NLI as one Spark ML Pipeline: the pooled output of (premise, hypothesis) encoded as a pair → multinomial
 * LogisticRegression over entailment/neutral/contradiction, scored by accuracy. A linear probe.
 */
public final class NliClassification {
  static final String USAGE = "NliClassification --model DIR|minilm --train NLI_FILE [--dev NLI_FILE] [--limit N]";

  private NliClassification() {}

  public record Result(long trainRows, List<String> gold, List<String> predicted, double accuracy) {}

  /** The unfitted pipeline: {@code (premise, hypothesis)} → {@code prediction} (an index into the indexer's labels). */
  public static Pipeline pipeline(String modelPath) {
    // The indexer goes first so that fitting it reads labels only, not embeddings (embedded rows are then
    // computed once, by LogisticRegression, which caches its instances).
    StringIndexer indexer = new StringIndexer().setInputCol("gold_label").setOutputCol("label_index")
        .setHandleInvalid("keep");
    TextEmbedder embedder = new TextEmbedder().setModelPath(modelPath).setInputCol("premise")
        .setPairCol("hypothesis").setPooledOutputCol("features").setOutputType("vector").setMaxSeqLength(128);
    LogisticRegression classifier = new LogisticRegression().setFamily("multinomial").setFeaturesCol("features")
        .setLabelCol("label_index").setMaxIter(100);
    return new Pipeline().setStages(new PipelineStage[] {indexer, embedder, classifier});
  }

  /** Fits on {@code trainPath}, scores on {@code devPath} (null: a seeded 80/20 split of the training rows). */
  public static Result run(SparkSession spark, String modelPath, String trainPath, String devPath, int limit) {
    Dataset<Row>[] split = ExampleData.trainAndEval(
        ExampleData.limited(KlueDatasets.nli(spark, trainPath), limit),
        devPath == null ? null : ExampleData.limited(KlueDatasets.nli(spark, devPath), limit));
    Dataset<Row> train = split[0].cache();
    PipelineModel model = pipeline(modelPath).fit(train);
    List<String> gold = new ArrayList<>();
    List<String> predicted = new ArrayList<>();
    String[] labels = ExampleData.labels(model);
    for (Row row : model.transform(split[1]).select("gold_label", "prediction").collectAsList()) {
      gold.add(row.getString(0));
      predicted.add(ExampleData.label(labels, row.getDouble(1)));
    }
    return new Result(train.count(), gold, predicted, KlueMetrics.accuracy(gold, predicted));
  }

  public static void main(String[] args) {
    ExampleArgs options = new ExampleArgs("NliClassification", USAGE, Set.of("model", "train", "dev", "limit"), args);
    Result result = run(ExampleData.session("kluespark-nli"), options.required("model"),
        options.required("train"), options.optional("dev", null), options.optionalInt("limit", 0));
    System.out.printf("NLI: accuracy %.4f on %d pairs (trained on %d pairs)%n",
        result.accuracy(), result.gold().size(), result.trainRows());
  }
}
