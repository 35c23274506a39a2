package org.kluespark.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kluespark.embed.BatchPlanner;
import org.kluespark.inference.SessionCache;
import org.kluespark.metrics.EmbeddingMetrics;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;
import org.kluespark.tokenize.TextTokenizer;

class KlueSqlFunctionsTest {
  private static final int ROWS = 100;
  private static final int BATCH_SIZE = 32;

  private static SparkSession spark;
  private static Dataset<Row> sts;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.get();
    List<Row> samples = spark.read().json(TestModels.repoRoot().resolve("datasets/klue-sts-sample.jsonl").toString())
        .select("sentence1", "sentence2").collectAsList();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      Row sample = samples.get(i % samples.size());
      String first = i % 17 == 5 ? null : sample.getString(0) + " (" + i + ")";
      String second = i % 13 == 3 ? null : sample.getString(1);
      rows.add(RowFactory.create(i, first, second));
    }
    sts = spark.createDataFrame(rows, new StructType().add("id", DataTypes.IntegerType)
        .add("sentence1", DataTypes.StringType).add("sentence2", DataTypes.StringType));
    sts.createOrReplaceTempView("sts");
    KlueSqlFunctions.register(spark, KlueSqlOptions.of(TestModels.minilmDir().toString()).withBatchSize(BATCH_SIZE));
  }

  private static TextEmbedder stage() {
    return new TextEmbedder().setModelPath(TestModels.minilmDir().toString()).setBatchSize(BATCH_SIZE);
  }

  @Test
  void sqlEqualsTheStageExactlyRowForRowWithNullsAndPairsOnOneSession() {
    SessionCache.resetForTesting();
    Dataset<Row> sql = spark.sql("SELECT id, klue_embed(sentence1) AS v, klue_embed_pair(sentence1, sentence2) AS p "
        + "FROM sts");
    List<Row> rows = sql.collectAsList();
    List<Row> single = stage().setInputCol("sentence1").transform(sts).collectAsList();
    List<Row> pairs = stage().setInputCol("sentence1").setPairCol("sentence2").transform(sts).collectAsList();

    assertThat(sql.schema().apply("v").dataType()).isEqualTo(DataTypes.createArrayType(DataTypes.FloatType, false));
    assertThat(rows).extracting(r -> r.getInt(0)).as("one row per input row, in input order")
        .containsExactlyElementsOf(single.stream().map(r -> r.getInt(0)).toList());
    int nullTexts = 0;
    int nullPairs = 0;
    for (int i = 0; i < ROWS; i++) {
      Row row = rows.get(i);
      if (single.get(i).isNullAt(3)) {
        nullTexts++;
        assertThat(row.isNullAt(1)).as("row %d: null text, null embedding", i).isTrue();
      } else {
        assertThat(TestRows.vector(row, "v")).as("row %d", i).containsExactly(TestRows.vector(single.get(i), "pooled_output"));
      }
      if (pairs.get(i).isNullAt(3)) {
        nullPairs++;
        assertThat(row.isNullAt(2)).as("row %d: a null side, null pair embedding", i).isTrue();
      } else {
        assertThat(TestRows.vector(row, "p")).as("row %d", i).containsExactly(TestRows.vector(pairs.get(i), "pooled_output"));
      }
    }
    assertThat(nullTexts).isEqualTo(6);
    assertThat(nullPairs).as("rows with id mod 17 = 5 or id mod 13 = 3 (disjoint below 100)").isEqualTo(6 + 8);
    assertThat(SessionCache.sessionsCreated()).as("SQL and stage share the executor's one session").isEqualTo(1);

    EmbeddingMetrics metrics = SqlPlans.metrics(sql);
    int partitions = sts.rdd().getNumPartitions();
    assertThat(SqlPlans.embedNodes(sql)).hasSize(2);
    assertThat(metrics.rows()).isEqualTo(2L * ROWS);
    assertThat(metrics.nullRows()).isEqualTo(nullTexts + nullPairs);
    long embedded = 2L * ROWS - nullTexts - nullPairs;
    assertThat(metrics.batches()).as("batched: %d rows over %d partitions, twice, in the batches BatchPlanner "
        + "plans for each partition's rows (one window each)", embedded, partitions).isEqualTo(plannedBatches());
    assertThat((double) embedded / metrics.batches()).as("rows per ONNX Runtime call").isGreaterThan(4);
  }

  /** The batches the planner cuts, per partition, for the non-null texts and for the pairs with both sides. */
  private static long plannedBatches() {
    long batches = 0;
    try (TextTokenizer tokenizer = TextTokenizer.fromJson(TestModels.minilm().tokenizerBytes(), 128)) {
      for (List<Row> partition : sts.javaRDD().glom().collect()) {
        List<Integer> single = new ArrayList<>();
        List<Integer> pair = new ArrayList<>();
        for (Row row : partition) {
          if (!row.isNullAt(1)) {
            single.add(tokenizer.encode(row.getString(1), null).length());
            if (!row.isNullAt(2)) {
              pair.add(tokenizer.encode(row.getString(1), row.getString(2)).length());
            }
          }
        }
        for (List<Integer> lengths : List.of(single, pair)) {
          int[] sorted = lengths.stream().mapToInt(Integer::intValue).sorted().toArray();
          batches += BatchPlanner.plan(sorted, BATCH_SIZE, BatchPlanner.CPU_BATCH_COST_TOKENS).length;
        }
      }
    }
    return batches;
  }

  @Test
  void whereAndAggregatesUseTheBatchedEmbeddings() {
    List<Row> pairs = stage().setInputCol("sentence1").transform(stage().setInputCol("sentence2")
        .setPooledOutputCol("v2").transform(sts)).collectAsList();
    List<Integer> similar = new ArrayList<>();
    double sum = 0;
    int count = 0;
    for (Row row : pairs) {
      if (!row.isNullAt(3) && !row.isNullAt(4)) {
        double cosine = cosine(TestRows.vector(row, "pooled_output"), TestRows.vector(row, "v2"));
        sum += cosine;
        count++;
        if (cosine > 0.6) {
          similar.add(row.getInt(0));
        }
      }
    }
    Dataset<Row> filtered = spark.sql("SELECT id FROM sts "
        + "WHERE cosine_similarity(klue_embed(sentence1), klue_embed(sentence2)) > 0.6");
    assertThat(filtered.collectAsList()).extracting(r -> r.getInt(0)).containsExactlyElementsOf(similar);
    assertThat(similar).hasSizeBetween(1, ROWS - 1);
    assertThat(filtered.columns()).containsExactly("id");

    Row aggregate = spark.sql("SELECT count(klue_embed(sentence1)), avg(cosine_similarity(klue_embed(sentence1), "
        + "klue_embed(sentence2))) FROM sts").first();
    assertThat(aggregate.getLong(0)).isEqualTo(ROWS - 6);
    assertThat(aggregate.getDouble(1)).isCloseTo(sum / count, within(1e-12));
  }

  @Test
  void identicalCallsAreEmbeddedOnce() {
    Dataset<Row> sql = spark.sql("SELECT klue_embed(sentence1) AS a, klue_embed(sentence1) AS b FROM sts");
    List<Row> rows = sql.collectAsList();
    assertThat(SqlPlans.embedNodes(sql)).hasSize(1);
    assertThat(sql.queryExecution().executedPlan().toString()).contains("KlueEmbed klue_embed(sentence1#");
    assertThat(TestRows.vector(rows.get(0), "a")).containsExactly(TestRows.vector(rows.get(0), "b"));
  }

  @Test
  void groupByAnEmbedding() {
    // Texts cut at maxSeqLength lose their "(i)" suffix, so some share an embedding: count what the stage gives.
    java.util.Map<List<Float>, Long> expected = new java.util.HashMap<>();
    for (Row row : stage().setInputCol("sentence1").transform(sts).collectAsList()) {
      expected.merge(row.isNullAt(3) ? null : row.<Float>getList(3), 1L, Long::sum);
    }
    java.util.Map<List<Float>, Long> groups = new java.util.HashMap<>();
    for (Row row : spark.sql("SELECT klue_embed(sentence1) AS v, count(*) AS n FROM sts "
        + "GROUP BY klue_embed(sentence1)").collectAsList()) {
      groups.put(row.isNullAt(0) ? null : row.<Float>getList(0), row.getLong(1));
    }
    assertThat(groups).isEqualTo(expected);
    assertThat(groups.get(null)).isEqualTo(6);
    assertThat(groups.size()).isGreaterThan(ROWS / 2);
  }

  @Test
  void embeddingsAreRefusedWhereTheyCannotBeBatched() {
    assertThatThrownBy(() -> spark.sql("SELECT a.id FROM sts a JOIN sts b ON a.id = b.id + 1 "
        + "AND cosine_similarity(klue_embed(a.sentence1), klue_embed(b.sentence1)) > 0.5").collect())
        .hasMessageContaining("Join contains klue_embed(")
        .hasMessageContaining("Embed in a subquery first");
    assertThatThrownBy(() -> spark.sql("SELECT klue_embed(id) FROM sts").collect())
        .hasMessageContaining("klue_embed: argument 1 (sts.id) must be a string but is int; cast it to string first.");
    assertThatThrownBy(() -> spark.sql("SELECT klue_embed(sentence1, sentence2) FROM sts").collect())
        .hasMessageContaining("klue_embed takes 1 argument but got 2; for text pairs use klue_embed_pair(text, pair)");
  }

  @Test
  void tokenizeGivesTheModelsTokens() {
    List<Row> rows = spark.sql("SELECT klue_tokenize(t) FROM VALUES ('Hello, world!'), (NULL) AS v(t)")
        .collectAsList();
    assertThat(rows.get(0).<String>getList(0)).containsExactly("[CLS]", "hello", ",", "world", "!", "[SEP]");
    assertThat(rows.get(1).isNullAt(0)).isTrue();
  }

  @Test
  void cosineSimilarityOnHandCheckedVectorsAndNulls() {
    Row row = spark.sql("SELECT "
        + "cosine_similarity(CAST(array(1, 2, 3) AS array<float>), CAST(array(4, 5, 6) AS array<float>)), "
        + "cosine_similarity(array(1D, 0D), array(0D, 2D)), "
        + "cosine_similarity(array(3D, 4D), CAST(array(-6, -8) AS array<float>)), "
        + "cosine_similarity(CAST(NULL AS array<float>), array(1D)), "
        + "cosine_similarity(array(1D, NULL), array(1D, 1D)), "
        + "cosine_similarity(array(0D, 0D), array(1D, 1D))").first();
    assertThat(row.getDouble(0)).isEqualTo(32 / Math.sqrt(14.0 * 77.0)); // 0.9746318461970762
    assertThat(row.getDouble(1)).isEqualTo(0.0);
    assertThat(row.getDouble(2)).isEqualTo(-1.0);
    assertThat(row.isNullAt(3)).as("null side").isTrue();
    assertThat(row.isNullAt(4)).as("null element").isTrue();
    assertThat(row.isNullAt(5)).as("zero norm").isTrue();
    assertThatThrownBy(() -> spark.sql("SELECT cosine_similarity(array(1D, 2D), array(1D))").collect())
        .hasStackTraceContaining("cosine_similarity: the vectors have different lengths, 2 and 1");
  }

  @Test
  void cosineSimilarityTakesMlVectors() {
    Dataset<Row> vectors = stage().setInputCol("sentence1").setOutputType("vector").transform(sts)
        .where("pooled_output IS NOT NULL").limit(2);
    List<Row> rows = vectors.selectExpr("cosine_similarity(pooled_output, pooled_output) AS self").collectAsList();
    assertThat(rows).extracting(r -> r.getDouble(0)).allSatisfy(v -> assertThat(v).isCloseTo(1.0, within(1e-12)));
  }

  @Test
  void theSessionConfChoosesTheModelWhenRegisteredWithoutOne() {
    try {
      KlueSqlFunctions.register(spark);
      spark.conf().unset(KlueSqlOptions.MODEL);
      assertThatThrownBy(() -> spark.sql("SELECT klue_embed('a')").collect())
          .hasMessageContaining("The kluespark SQL functions have no model: set spark.kluespark.model");
      spark.conf().set(KlueSqlOptions.MODEL, TestModels.minilmDir().toString());
      spark.conf().set(KlueSqlOptions.NORMALIZE, "true");
      spark.conf().set(KlueSqlOptions.POOLING, "cls");
      float[] normalized = TestRows.vector(spark.sql("SELECT klue_embed(sentence1) AS v FROM sts WHERE id = 0")
          .first(), "v");
      float[] expected = TestRows.vector(stage().setInputCol("sentence1").setNormalize(true).setPooling("cls")
          .transform(sts).where("id = 0").first(), "pooled_output");
      assertThat(normalized).containsExactly(expected);
    } finally {
      spark.conf().unset(KlueSqlOptions.MODEL);
      spark.conf().unset(KlueSqlOptions.NORMALIZE);
      spark.conf().unset(KlueSqlOptions.POOLING);
      KlueSqlFunctions.register(spark, KlueSqlOptions.of(TestModels.minilmDir().toString()).withBatchSize(BATCH_SIZE));
    }
  }

  private static double cosine(float[] a, float[] b) {
    double[] x = new double[a.length];
    double[] y = new double[b.length];
    for (int i = 0; i < a.length; i++) {
      x[i] = a[i];
      y[i] = b[i];
    }
    return CosineSimilarity.cosine(x, y);
  }
}
