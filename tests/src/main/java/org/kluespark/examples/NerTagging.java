package org.kluespark.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.kluespark.datasets.KlueDatasets;
import org.kluespark.stage.TextEmbedder;
import scala.jdk.javaapi.CollectionConverters;

/**
 * KLUE NER as token classification on frozen token vectors: TextEmbedder's sequence output and code-point
 * offsets → KLUE's character BIO tags moved onto tokens ({@link NerTagAlignment}) → one row per token →
 * multinomial LogisticRegression → seqeval-style entity F1 over the token tag sequences.
 */
public final class NerTagging {
  static final String USAGE = "NerTagging --model DIR|minilm --train NER_TSV [--dev NER_TSV] [--limit N]";

  /** One row per real token: its sentence, position among the sentence's real tokens, vector and gold tag. */
  static final StructType TOKEN_ROWS = new StructType()
      .add("guid", DataTypes.StringType, false)
      .add("position", DataTypes.IntegerType, false)
      .add("features", SQLDataTypes.VectorType(), false)
      .add("tag", DataTypes.StringType, false);

  private NerTagging() {}

  public record Result(long trainTokens, List<List<String>> gold, List<List<String>> predicted,
      KlueMetrics.EntityScores scores) {}

  /** The embedder: {@code sentence} → {@code token_vectors} with {@code offsets} (code points). */
  public static TextEmbedder embedder(String modelPath) {
    return new TextEmbedder().setModelPath(modelPath).setInputCol("sentence").setSequenceOutputCol("token_vectors")
        .setOffsetsCol("offsets").setOffsetUnit("codepoint").setMaxSeqLength(128);
  }

  /** The token classifier: {@code (features, tag)} rows → {@code prediction} (an index into the indexer's labels). */
  public static Pipeline tokenClassifier() {
    StringIndexer indexer = new StringIndexer().setInputCol("tag").setOutputCol("label_index")
        .setHandleInvalid("keep");
    LogisticRegression classifier = new LogisticRegression().setFamily("multinomial").setFeaturesCol("features")
        .setLabelCol("label_index").setMaxIter(100);
    return new Pipeline().setStages(new PipelineStage[] {indexer, classifier});
  }

  /** Embeds sentences and explodes them into {@link #TOKEN_ROWS}, special tokens left out. */
  public static Dataset<Row> tokenRows(TextEmbedder embedder, Dataset<Row> sentences) {
    Dataset<Row> embedded = embedder.transform(sentences).select("guid", "ner_tags", "offsets", "token_vectors");
    return embedded.flatMap((FlatMapFunction<Row, Row>) NerTagging::explode, Encoders.row(TOKEN_ROWS));
  }

  public static Result run(SparkSession spark, String modelPath, String trainPath, String devPath, int limit) {
    Dataset<Row>[] split = ExampleData.trainAndEval(
        ExampleData.limited(KlueDatasets.ner(spark, trainPath), limit),
        devPath == null ? null : ExampleData.limited(KlueDatasets.ner(spark, devPath), limit));
    TextEmbedder embedder = embedder(modelPath);
    Dataset<Row> trainTokens = tokenRows(embedder, split[0]).cache();
    PipelineModel classifier = tokenClassifier().fit(trainTokens);
    List<Row> scored = classifier.transform(tokenRows(embedder, split[1]))
        .select("guid", "position", "tag", "prediction").collectAsList();
    String[] labels = ExampleData.labels(classifier);
    // guid → position → {gold, predicted}, so each sentence's tags come out in token order.
    Map<String, TreeMap<Integer, String[]>> sentences = new TreeMap<>();
    for (Row row : scored) {
      sentences.computeIfAbsent(row.getString(0), guid -> new TreeMap<>())
          .put(row.getInt(1), new String[] {row.getString(2), ExampleData.label(labels, row.getDouble(3))});
    }
    List<List<String>> gold = new ArrayList<>();
    List<List<String>> predicted = new ArrayList<>();
    for (TreeMap<Integer, String[]> tokens : sentences.values()) {
      gold.add(tokens.values().stream().map(pair -> pair[0]).toList());
      predicted.add(tokens.values().stream().map(pair -> pair[1]).toList());
    }
    return new Result(trainTokens.count(), gold, predicted, KlueMetrics.entityF1(gold, predicted));
  }

  public static void main(String[] args) {
    ExampleArgs options = new ExampleArgs("NerTagging", USAGE, Set.of("model", "train", "dev", "limit"), args);
    Result result = run(ExampleData.session("kluespark-ner"), options.required("model"),
        options.required("train"), options.optional("dev", null), options.optionalInt("limit", 0));
    KlueMetrics.EntityScores s = result.scores();
    System.out.printf("NER: entity F1 %.4f (precision %.4f, recall %.4f; %d gold, %d predicted, %d correct "
        + "entities in %d sentences; trained on %d tokens)%n", s.f1(), s.precision(), s.recall(), s.gold(),
        s.predicted(), s.correct(), result.gold().size(), result.trainTokens());
  }

  private static java.util.Iterator<Row> explode(Row sentence) {
    String guid = sentence.getString(0);
    List<String> charTags = sentence.getList(1);
    List<Object> offsets = sentence.getList(2);
    List<Object> vectors = sentence.getList(3);
    List<Integer> starts = new ArrayList<>(offsets.size());
    for (Object offset : offsets) {
      starts.add(offset == null ? null : ((Row) offset).getInt(0));
    }
    List<String> tags = NerTagAlignment.tokenTags(charTags, starts);
    List<Row> tokens = new ArrayList<>();
    for (int t = 0; t < tags.size(); t++) {
      if (tags.get(t) != null) {
        tokens.add(RowFactory.create(guid, tokens.size(), Vectors.dense(doubles(vectors.get(t))), tags.get(t)));
      }
    }
    return tokens.iterator();
  }

  @SuppressWarnings("unchecked")
  private static double[] doubles(Object floats) {
    List<Float> values = floats instanceof List<?> list ? (List<Float>) list
        : CollectionConverters.asJava((scala.collection.Seq<Float>) floats);
    double[] out = new double[values.size()];
    for (int d = 0; d < out.length; d++) {
      out[d] = values.get(d);
    }
    return out;
  }
}
