package org.kluespark.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;

/**
 * The instruction prefixes of the SQL functions, registered ({@link KlueSqlOptions#withPrefixes}) or from
 * {@code spark.kluespark.textPrefix} / {@code pairPrefix}: the stage's vectors and tokens with the same Params,
 * and a query planned under another prefix gives the other embedding.
 */
class KlueSqlPrefixTest {
  private static final String QUERY = "query: ";
  private static final String PASSAGE = "passage: ";

  private static SparkSession spark;
  private static Dataset<Row> texts;
  private static String minilm;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.get();
    minilm = TestModels.minilmDir().toString();
    texts = spark.createDataFrame(List.of(
        RowFactory.create(1, "The weather is nice today.", "It is sunny."),
        RowFactory.create(2, null, "no first text"),
        RowFactory.create(3, "A sentence about the quiet river bank.", "A bank.")),
        new StructType().add("id", DataTypes.IntegerType).add("a", DataTypes.StringType)
            .add("b", DataTypes.StringType));
    texts.createOrReplaceTempView("prefix_texts");
  }

  @AfterAll
  static void restore() {
    spark.conf().unset(KlueSqlOptions.MODEL);
    spark.conf().unset(KlueSqlOptions.TEXT_PREFIX);
    spark.conf().unset(KlueSqlOptions.PAIR_PREFIX);
    KlueSqlFunctions.register(spark, KlueSqlOptions.of(minilm));
  }

  private static List<Row> stage(String textPrefix, String pairCol, String pairPrefix) {
    TextEmbedder embedder = new TextEmbedder().setModelPath(minilm).setInputCol("a").setTextPrefix(textPrefix)
        .setPairPrefix(pairPrefix);
    if (pairCol != null) {
      embedder.setPairCol(pairCol);
    }
    return embedder.transform(texts).collectAsList();
  }

  private static void assertVectors(List<Row> sql, String column, List<Row> stage) {
    assertThat(sql).hasSameSizeAs(stage);
    for (int i = 0; i < sql.size(); i++) {
      assertThat(TestRows.vector(sql.get(i), column)).as("row %d", i)
          .isEqualTo(TestRows.vector(stage.get(i), "pooled_output"));
    }
  }

  @Test
  void registeredPrefixesGiveTheStagesVectorsAndTokens() {
    KlueSqlFunctions.register(spark, KlueSqlOptions.of(minilm).withPrefixes(QUERY, PASSAGE));
    List<Row> rows = spark.sql("SELECT klue_embed(a) AS v, klue_embed_pair(a, b) AS p, klue_tokenize(a) AS t "
        + "FROM prefix_texts").collectAsList();

    assertVectors(rows, "v", stage(QUERY, null, ""));
    assertVectors(rows, "p", stage(QUERY, "b", PASSAGE));
    assertThat(rows.get(0).<String>getList(2)).containsExactly("[CLS]", "query", ":", "the", "weather", "is", "nice",
        "today", ".", "[SEP]");
    assertThat(rows.get(1).isNullAt(0)).as("a null text is not prefixed").isTrue();
    assertThat(rows.get(1).isNullAt(2)).isTrue();

    // Without the prefix, klue_embed of the concatenation is the same vector.
    KlueSqlFunctions.register(spark, KlueSqlOptions.of(minilm));
    List<Row> concatenated = spark.sql("SELECT klue_embed(concat('query: ', a)) AS v FROM prefix_texts")
        .collectAsList();
    for (int i = 0; i < rows.size(); i++) {
      assertThat(TestRows.vector(concatenated.get(i), "v")).as("row %d", i)
          .isEqualTo(TestRows.vector(rows.get(i), "v"));
    }
  }

  @Test
  void theSessionConfSetsThePrefixesForEachQueryAsItIsPlanned() {
    KlueSqlFunctions.register(spark);
    spark.conf().set(KlueSqlOptions.MODEL, minilm);
    spark.conf().set(KlueSqlOptions.TEXT_PREFIX, QUERY);
    List<Row> query = spark.sql("SELECT klue_embed(a) AS v FROM prefix_texts").collectAsList();
    spark.conf().set(KlueSqlOptions.TEXT_PREFIX, PASSAGE);
    List<Row> passage = spark.sql("SELECT klue_embed(a) AS v FROM prefix_texts").collectAsList();

    assertVectors(query, "v", stage(QUERY, null, ""));
    assertVectors(passage, "v", stage(PASSAGE, null, ""));
    assertThat(TestRows.vector(query.get(0), "v")).as("another prefix, another embedding of the same text")
        .isNotEqualTo(TestRows.vector(passage.get(0), "v"));

    // SQL's SET trims its value, which would drop the space that ends "query: ": the README says to back-quote it.
    spark.sql("SET spark.kluespark.textPrefix=query: ");
    assertThat(spark.conf().get(KlueSqlOptions.TEXT_PREFIX)).isEqualTo("query:");
    spark.sql("SET spark.kluespark.textPrefix=`query: `");
    assertThat(spark.conf().get(KlueSqlOptions.TEXT_PREFIX)).isEqualTo(QUERY);
    assertVectors(spark.sql("SELECT klue_embed(a) AS v FROM prefix_texts").collectAsList(), "v",
        stage(QUERY, null, ""));
  }
}
