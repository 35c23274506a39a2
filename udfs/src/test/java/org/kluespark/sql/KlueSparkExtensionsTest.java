package org.kluespark.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;

/**
 * The {@code spark.sql.extensions} path. Extensions apply only when a SparkContext starts, so this stops the
 * shared test session, runs its own, and stops that again; {@link SparkTestSession#get()} then starts a fresh
 * shared session for later test classes.
 */
class KlueSparkExtensionsTest {

  @AfterAll
  static void restoreSharedSession() {
    SparkSession.active().stop();
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
    assertThat(SparkTestSession.get().sparkContext().isStopped()).isFalse();
  }

  @Test
  void aSessionBuiltWithTheExtensionHasTheFunctionsAndReadsTheModelFromItsConf() {
    SparkTestSession.get().stop();
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
    SparkSession spark = SparkSession.builder()
        .master("local[2]")
        .appName("kluespark-extensions-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.extensions", KlueSparkExtensions.class.getName())
        .config(KlueSqlOptions.MODEL, TestModels.minilmDir().toString())
        .config(KlueSqlOptions.BATCH_SIZE, "4")
        .getOrCreate();

    spark.sql("CREATE TEMPORARY VIEW t AS SELECT * FROM VALUES (1, '오늘 서울은 맑습니다.'), (2, NULL), "
        + "(3, 'The weather is nice today.'), (4, '') AS t(id, text)");
    Dataset<Row> sql = spark.sql("SELECT id, klue_embed(text) AS v, klue_tokenize(text) AS tokens, "
        + "cosine_similarity(klue_embed(text), klue_embed(text)) AS self FROM t");
    List<Row> rows = sql.collectAsList();
    List<Row> expected = new TextEmbedder().setModelPath(TestModels.minilmDir().toString()).setBatchSize(4)
        .transform(spark.table("t")).collectAsList();

    assertThat(rows).extracting(r -> r.getInt(0)).containsExactly(1, 2, 3, 4);
    for (int i : new int[] {0, 2, 3}) {
      assertThat(TestRows.vector(rows.get(i), "v")).containsExactly(TestRows.vector(expected.get(i), "pooled_output"));
      assertThat(rows.get(i).getDouble(3)).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
    }
    assertThat(rows.get(1).isNullAt(1)).isTrue();
    assertThat(rows.get(1).isNullAt(3)).isTrue();
    assertThat(rows.get(2).<String>getList(2)).containsExactly("[CLS]", "the", "weather", "is", "nice", "today", ".",
        "[SEP]");
    assertThat(SqlPlans.embedNodes(sql)).as("klue_embed(text) three times, embedded once").hasSize(1);
    assertThat(spark.sql("DESCRIBE FUNCTION klue_embed_pair").collectAsList().toString())
        .contains("klue_embed_pair(text, pair) - the pooled embedding of a text pair");
  }
}
