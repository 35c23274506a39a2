package org.kluespark.examples;

import java.util.List;
import java.util.Set;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.kluespark.datasets.KlueDatasets;
import org.kluespark.stage.TextEmbedder;

/**
 * KLUE STS without training: sentence1 and sentence2 embedded separately (a bi-encoder), their cosine
 * similarity correlated with KLUE's {@code real-label} (Pearson's r, KLUE's STS score).
 */
public final class StsSimilarity {
  static final String USAGE = "StsSimilarity --model DIR|minilm --dev STS_FILE [--limit N] [--pooling MODE]";

  private StsSimilarity() {}

  /** Cosine similarity and gold score of every pair, and their Pearson correlation. */
  public record Result(double[] cosine, double[] realLabel, double pearson) {}

  /** Two embedders, one per sentence: {@code sentence1} → {@code embedding1}, {@code sentence2} → {@code embedding2}. */
  public static Pipeline pipeline(String modelPath) {
    return pipeline(modelPath, "auto");
  }

  /** As {@link #pipeline(String)} with the stages' {@code pooling} (auto: the model's declared pooling, ...). */
  public static Pipeline pipeline(String modelPath, String pooling) {
    return new Pipeline().setStages(new PipelineStage[] {embedder(modelPath, "sentence1", "embedding1", pooling),
        embedder(modelPath, "sentence2", "embedding2", pooling)});
  }

  public static Result run(SparkSession spark, String modelPath, String devPath, int limit) {
    return run(spark, modelPath, devPath, limit, "auto");
  }

  public static Result run(SparkSession spark, String modelPath, String devPath, int limit, String pooling) {
    Dataset<Row> pairs = ExampleData.limited(KlueDatasets.sts(spark, devPath), limit);
    PipelineModel embedders = pipeline(modelPath, pooling).fit(pairs); // only transformers: reads no data
    List<Row> rows = embedders.transform(pairs)
        .select("embedding1", "embedding2", "real_label").collectAsList();
    double[] cosine = new double[rows.size()];
    double[] realLabel = new double[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      cosine[i] = KlueMetrics.cosine(((Vector) row.get(0)).toArray(), ((Vector) row.get(1)).toArray());
      realLabel[i] = row.getDouble(2);
    }
    return new Result(cosine, realLabel, KlueMetrics.pearson(cosine, realLabel));
  }

  public static void main(String[] args) {
    ExampleArgs options = new ExampleArgs("StsSimilarity", USAGE, Set.of("model", "dev", "limit", "pooling"), args);
    String pooling = options.optional("pooling", "auto");
    Result result = run(ExampleData.session("kluespark-sts"), options.required("model"),
        options.required("dev"), options.optionalInt("limit", 0), pooling);
    System.out.printf("STS: Pearson r %.4f between cosine similarity and real-label over %d pairs (pooling=%s)%n",
        result.pearson(), result.cosine().length, pooling);
  }

  private static TextEmbedder embedder(String modelPath, String inputCol, String outputCol, String pooling) {
    return new TextEmbedder().setModelPath(modelPath).setInputCol(inputCol).setPooledOutputCol(outputCol)
        .setOutputType("vector").setMaxSeqLength(128).setPooling(pooling);
  }
}
