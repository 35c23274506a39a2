package org.kluespark.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
import org.kluespark.testing.TestVectors;

/**
 * The SQL functions over Spark Connect, as on Databricks shared and serverless compute: a Spark Connect server
 * ({@link ConnectServer}, its own JVM, {@code local[2]}) with kluespark as {@code --jars},
 * {@code spark.sql.extensions} holding Delta's and kluespark's extensions and {@code spark.kluespark.model=minilm};
 * a client JVM with only the Spark Connect client ({@link ConnectClient}) creates a Delta table of the KLUE STS
 * sample and calls {@code klue_embed}, {@code klue_embed_pair}, {@code klue_tokenize} and
 * {@code cosine_similarity} in SQL. The vectors it collects equal the stage's in this JVM bit for bit. A second
 * server, started with the jars but without kluespark's extension (the easy mistake), answers
 * {@code UNRESOLVED_ROUTINE} naming the function, and {@code SHOW FUNCTIONS} tells the two servers apart.
 *
 * <p>Spark 4.0 line only, as the tests module: Maven Central has a Spark Connect JVM client for Scala 2.13 /
 * Spark 4 but none for the Spark 3.5 line's Scala 2.12.
 */
class SparkConnectIT {
  private static final Duration CLIENT_TIMEOUT = Duration.ofMinutes(4);
  private static final String NULL_PAIR_GUID = "connect-null-pair";
  private static final String NULL_PAIR_TEXT = "오늘 서울은 하루 종일 맑겠습니다.";

  private static ConnectServer withExtension;
  private static ConnectServer withoutExtension;
  private static Path sample;

  @BeforeAll
  static void startServers() throws Exception {
    long start = System.nanoTime();
    sample = TestModels.repoRoot().resolve("datasets/klue-sts-sample.jsonl");
    // Both start at once: most of a start is JVM and SparkContext warm-up, which overlaps on two cores.
    CompletableFuture<ConnectServer> without = CompletableFuture.supplyAsync(() -> start("no-extension",
        Map.of("spark.kluespark.model", "minilm")));
    withExtension = start("kluespark", Map.of(
        "spark.sql.extensions", ConnectServer.DELTA_EXTENSION + "," + ConnectServer.KLUESPARK_EXTENSION,
        "spark.kluespark.model", "minilm"));
    withoutExtension = without.join();
    System.out.printf("two Spark Connect servers up in %.1f s: %s, %s%n", (System.nanoTime() - start) / 1e9,
        withExtension, withoutExtension);
  }

  @AfterAll
  static void stopServers() {
    for (ConnectServer server : new ConnectServer[] {withExtension, withoutExtension}) {
      if (server != null) {
        server.close();
      }
    }
  }

  @Test
  void sqlFunctionsOverSparkConnectGiveTheStagesVectors() throws Exception {
    long start = System.nanoTime();
    ConnectClient.Run run = ConnectClient.run(withExtension, "client-functions", CLIENT_TIMEOUT,
        // One file, so the server embeds the rows in one partition, as the stage does below.
        "CREATE TABLE klue_sts USING delta AS SELECT /*+ COALESCE(1) */ * FROM ("
            + "SELECT guid, sentence1, sentence2 FROM json.`" + sample.toUri() + "` UNION ALL "
            + "SELECT '" + NULL_PAIR_GUID + "', '" + NULL_PAIR_TEXT + "', CAST(NULL AS STRING))",
        "SELECT guid, klue_embed(sentence1) AS v1, klue_embed(sentence2) AS v2, "
            + "klue_embed_pair(sentence1, sentence2) AS pair, klue_tokenize(sentence1) AS tokens, "
            + "cosine_similarity(klue_embed(sentence1), klue_embed(sentence2)) AS cosine FROM klue_sts",
        "SHOW FUNCTIONS LIKE 'klue*|cosine_similarity'",
        "DESCRIBE TABLE EXTENDED klue_sts",
        // The extension is there but the session lost its model: kluespark's own message reaches the client.
        "SET spark.kluespark.model=",
        "SELECT klue_embed(sentence1) FROM klue_sts");
    double clientSeconds = (System.nanoTime() - start) / 1e9;

    assertThat(run.client().path("session").asText()).isEqualTo("org.apache.spark.sql.connect.SparkSession");
    assertThat(run.client().path("classicSparkOnClasspath").asBoolean()).as("classic Spark SQL in the client JVM")
        .isFalse();
    assertThat(run.client().path("kluesparkOnClasspath").asBoolean()).as("kluespark in the client JVM").isFalse();
    for (ConnectClient.Statement statement : run.statements().subList(0, 5)) {
      assertThat(statement.error()).as("%s:\n%s\n%s", statement.sql(), statement.message(), withExtension.log())
          .isNull();
    }
    assertThat(run.statements().get(3).rows().toString()).as("klue_sts is a Delta table").contains("delta");

    Map<String, JsonNode> connect = new HashMap<>();
    run.statements().get(1).rows().forEach(row -> connect.put(row.get(0).asText(), row));
    Map<String, Row> stage = stageRows();
    assertThat(connect.keySet()).hasSize(31).isEqualTo(stage.keySet());

    double maxAbs = 0;
    int vectors = 0;
    for (Map.Entry<String, Row> entry : stage.entrySet()) {
      JsonNode row = connect.get(entry.getKey());
      Row expected = entry.getValue();
      for (String[] column : new String[][] {{"v1", "1"}, {"v2", "2"}, {"pair", "3"}}) {
        float[] want = TestRows.vector(expected, column[0]);
        float[] got = floats(row.get(Integer.parseInt(column[1])));
        if (want == null) {
          assertThat(got).as("%s %s", entry.getKey(), column[0]).isNull();
          continue;
        }
        assertThat(got).as("%s %s", entry.getKey(), column[0]).hasSize(384);
        maxAbs = Math.max(maxAbs, TestRows.maxAbsDiff(got, want));
        vectors++;
      }
      assertThat(strings(row.get(4))).as("%s tokens", entry.getKey())
          .containsExactlyElementsOf(expected.<String>getList(expected.fieldIndex("tokens")));
      float[] v1 = TestRows.vector(expected, "v1");
      float[] v2 = TestRows.vector(expected, "v2");
      if (v2 == null) {
        assertThat(row.get(5).isNull()).as("%s cosine with a null side", entry.getKey()).isTrue();
      } else {
        assertThat(Double.parseDouble(row.get(5).asText())).as("%s cosine", entry.getKey())
            .isEqualTo(TestVectors.cosine(v1, v2)); // the same double arithmetic as CosineSimilarity
      }
    }
    System.out.printf("Spark Connect client: %d rows, %d vectors, max-abs vs the stage %s, client run %.1f s%n",
        connect.size(), vectors, maxAbs, clientSeconds);
    assertThat(vectors).as("v1, v2 and pair of 31 rows, one of them without sentence2").isEqualTo(31 * 3 - 2);
    assertThat(maxAbs).as("max-abs difference from the stage's vectors").isZero();
    assertThat(connect.get(NULL_PAIR_GUID).get(3).isNull()).isTrue();

    assertThat(run.statements().get(2).rows()).extracting(row -> row.get(0).asText())
        .containsExactlyInAnyOrder("klue_embed", "klue_embed_pair", "klue_tokenize", "cosine_similarity");

    ConnectClient.Statement noModel = run.statements().get(5);
    assertThat(noModel.failed()).as("klue_embed with an empty spark.kluespark.model").isTrue();
    assertThat(noModel.message()).contains("The kluespark SQL functions have no model: set spark.kluespark.model");
  }

  @Test
  void aServerWithoutTheExtensionAnswersUnresolvedRoutineNamingTheFunction() throws Exception {
    ConnectClient.Run run = ConnectClient.run(withoutExtension, "client-no-extension", CLIENT_TIMEOUT,
        "SHOW FUNCTIONS LIKE 'klue*|cosine_similarity'",
        "SELECT klue_embed('오늘 서울은 맑습니다.') AS v",
        "SELECT cosine_similarity(array(1.0F, 0.0F), array(1.0F, 0.0F)) AS c");

    assertThat(run.statements().get(0).failed()).isFalse();
    assertThat(run.statements().get(0).rows()).as("SHOW FUNCTIONS, the README's check: none of ours").isEmpty();
    ConnectClient.Statement embed = run.statements().get(1);
    System.out.printf("without the extension, the client sees: %s: %s%n", embed.error(), embed.message());
    assertThat(embed.error()).isEqualTo("org.apache.spark.sql.AnalysisException");
    assertThat(embed.message()).contains("[UNRESOLVED_ROUTINE]").contains("`klue_embed`");
    assertThat(run.statements().get(2).message()).contains("[UNRESOLVED_ROUTINE]").contains("`cosine_similarity`");
  }

  /** The stage over the same 31 rows in one partition: pooled outputs of sentence1, sentence2 and the pair. */
  private static Map<String, Row> stageRows() {
    SparkSession spark = SparkTestSession.get();
    Dataset<Row> extra = spark.createDataFrame(List.of(RowFactory.create(NULL_PAIR_GUID, NULL_PAIR_TEXT, null)),
        new StructType().add("guid", DataTypes.StringType).add("sentence1", DataTypes.StringType)
            .add("sentence2", DataTypes.StringType));
    Dataset<Row> rows = spark.read().json(sample.toString()).select("guid", "sentence1", "sentence2")
        .unionAll(extra).coalesce(1);
    Dataset<Row> embedded = stage().setInputCol("sentence1").setPooledOutputCol("v1").setTokensCol("tokens")
        .transform(stage().setInputCol("sentence2").setPooledOutputCol("v2")
            .transform(stage().setInputCol("sentence1").setPairCol("sentence2").setPooledOutputCol("pair")
                .transform(rows)));
    Map<String, Row> byGuid = new HashMap<>();
    for (Row row : embedded.collectAsList()) {
      byGuid.put(row.getString(row.fieldIndex("guid")), row);
    }
    return byGuid;
  }

  /** The extension's settings: minilm and every other setting at its default. */
  private static TextEmbedder stage() {
    return new TextEmbedder().setModelPath("minilm");
  }

  private static ConnectServer start(String id, Map<String, String> conf) {
    try {
      return ConnectServer.start(id, conf);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static float[] floats(JsonNode array) {
    if (array == null || array.isNull()) {
      return null;
    }
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Float.parseFloat(array.get(i).asText());
    }
    return out;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(node -> out.add(node.asText()));
    return out;
  }

}
