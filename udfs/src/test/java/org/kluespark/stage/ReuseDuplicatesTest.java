package org.kluespark.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.datasets.KlueDatasets;
import org.kluespark.metrics.EmbeddingMetrics;
import org.kluespark.model.ModelBundle;
import org.kluespark.sql.KlueSqlFunctions;
import org.kluespark.sql.KlueSqlOptions;
import org.kluespark.testing.OnnxFixtures;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;
import org.kluespark.tokenize.TextTokenizer;

/**
 * reuseDuplicates through Spark with MiniLM: every output column of a row served by a copy is bit-identical to
 * running every row (reuseDuplicates=false), for TextEmbedder (singles and pairs), TokenEncoder and the SQL
 * functions; repeats are counted in kluespark.duplicateRows, nulls stay nulls, a bad row fails with each of its
 * repeats, and stages saved before the Param existed load with it on.
 */
class ReuseDuplicatesTest {
  @TempDir
  static Path tmp;

  private static SparkSession spark;
  /** The KLUE NLI sample: 30 pairs whose premises are 10 sentences, each three times in a row (as in KLUE). */
  private static Dataset<Row> nli;

  @BeforeAll
  static void load() {
    spark = SparkTestSession.get();
    nli = KlueDatasets.nli(spark, TestModels.repoRoot().resolve("datasets/klue-nli-sample.json").toString())
        .select("guid", "premise", "hypothesis").cache();
    assertThat(nli.count()).isEqualTo(30);
    assertThat(nli.select("premise").distinct().count()).isEqualTo(10);
  }

  private static TextEmbedder everyOutput() {
    return new TextEmbedder().setModelPath(TestModels.minilmWithHiddenStatesDir().toString()).setPooling("mean")
        .setInputCol("premise").setSequenceOutputCol("seq").setEncoderOutputsCol("layers").setEncoderLayers(0, 3, -1)
        .setTokensCol("tokens").setOffsetsCol("offsets").setBatchSize(4);
  }

  private static List<Row> collect(Dataset<Row> frame, AtomicReference<EmbeddingMetrics> metrics) {
    return ErrorColTest.collectCounting(frame, metrics);
  }

  private static AtomicReference<EmbeddingMetrics> zero() {
    return new AtomicReference<>(EmbeddingMetrics.ZERO);
  }

  /** Same rows in the same order; every float of every vector column equal to the bit; other columns equal. */
  private static void assertBitIdentical(List<Row> got, List<Row> expected, String... vectorColumns) {
    assertThat(got).hasSameSizeAs(expected);
    for (int i = 0; i < got.size(); i++) {
      Row a = got.get(i);
      Row b = expected.get(i);
      assertThat(a.schema()).isEqualTo(b.schema());
      for (String column : a.schema().fieldNames()) {
        boolean vector = Arrays.asList(vectorColumns).contains(column);
        if (!vector) {
          assertThat(a.<Object>getAs(column)).as("row %d %s", i, column).isEqualTo(b.getAs(column));
        }
      }
      for (String column : vectorColumns) {
        assertThat(bits(a, column)).as("row %d %s", i, column).isEqualTo(bits(b, column));
      }
    }
  }

  /** A float column's values as their IEEE bits (so -0.0 and 0.0 differ), flattened; null for a null cell. */
  private static List<Integer> bits(Row row, String column) {
    Object value = row.getAs(column);
    if (value == null) {
      return null;
    }
    List<Integer> out = new ArrayList<>();
    String type = row.schema().apply(column).dataType().simpleString();
    if (type.equals("array<float>")) {
      for (float f : TestRows.vector(row, column)) {
        out.add(Float.floatToRawIntBits(f));
      }
    } else if (type.equals("array<array<float>>")) {
      for (float[] token : TestRows.matrix(row, column)) {
        for (float f : token) {
          out.add(Float.floatToRawIntBits(f));
        }
      }
    } else {
      for (float[][] layer : TestRows.layers(row, column)) {
        for (float[] token : layer) {
          for (float f : token) {
            out.add(Float.floatToRawIntBits(f));
          }
        }
      }
    }
    return out;
  }

  @Test
  void repeatedTextsRunOnceAndEveryOutputColumnIsBitIdenticalToRunningEachRow() {
    AtomicReference<EmbeddingMetrics> reused = zero();
    AtomicReference<EmbeddingMetrics> eachRow = zero();
    TextEmbedder stage = everyOutput();
    assertThat(stage.getReuseDuplicates()).as("on by default").isTrue();
    List<Row> got = collect(stage.transform(nli), reused);
    List<Row> expected = collect(everyOutput().setReuseDuplicates(false).transform(nli), eachRow);

    assertBitIdentical(got, expected, "pooled_output", "seq", "layers");
    assertThat(reused.get().duplicateRows()).isEqualTo(20);
    assertThat(eachRow.get().duplicateRows()).isZero();
    assertThat(reused.get().rows()).as("every output row").isEqualTo(30);
    assertThat(eachRow.get().rows()).isEqualTo(30);
    assertThat(reused.get().realTokens() * 3).as("what the model computed: each premise once")
        .isEqualTo(eachRow.get().realTokens());
    assertThat(reused.get().summary()).contains(", 20 duplicate row(s) served by a copy (not run)");
    assertThat(eachRow.get().summary()).doesNotContain("duplicate");
  }

  @Test
  void pairsRepeatOnlyWithTheSamePairTextAndNullsStayNull() {
    StructType schema = new StructType().add("id", DataTypes.IntegerType).add("a", DataTypes.StringType)
        .add("b", DataTypes.StringType);
    Object[][] values = {
        {0, "오늘 날씨가 맑다", "내일은 비가 온다"}, {1, "오늘 날씨가 맑다", ""}, {2, "오늘 날씨가 맑다", null},
        {3, "오늘 날씨가 맑다", "내일은 비가 온다"}, {4, null, "내일은 비가 온다"}, {5, "오늘 날씨가 맑다", ""},
        {6, "오늘 날씨가 맑다", "내일은 비가 온다"}, {7, null, null}};
    List<Row> rows = new ArrayList<>();
    for (Object[] row : values) {
      rows.add(RowFactory.create(row));
    }
    Dataset<Row> input = spark.createDataFrame(rows, schema).coalesce(1);
    TextEmbedder stage = new TextEmbedder().setModelPath(TestModels.minilmDir().toString()).setInputCol("a")
        .setPairCol("b").setSequenceOutputCol("seq").setTokensCol("tokens").setErrorCol("error");
    AtomicReference<EmbeddingMetrics> reused = zero();
    List<Row> got = collect(stage.transform(input), reused);
    List<Row> expected = stage.setReuseDuplicates(false).transform(input).collectAsList();

    assertBitIdentical(got, expected, "pooled_output", "seq");
    assertThat(got).extracting(r -> r.getInt(0)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    for (int i : new int[] {2, 4, 7}) {
      assertThat(got.get(i).isNullAt(3)).as("row %d has a null text: null outputs", i).isTrue();
      assertThat(got.get(i).isNullAt(6)).as("row %d is not an error", i).isTrue();
    }
    assertThat(TestRows.vector(got.get(1), "pooled_output")).as("an empty pair text is a pair")
        .isNotEqualTo(TestRows.vector(got.get(0), "pooled_output"));
    assertThat(got.get(1).<Object>getAs("tokens")).isNotEqualTo(got.get(0).getAs("tokens"));
    assertThat(reused.get().duplicateRows()).as("rows 3 and 6 repeat row 0, row 5 repeats row 1").isEqualTo(3);
    assertThat(reused.get().nullRows()).isEqualTo(3);
    assertThat(reused.get().rows()).isEqualTo(8);
  }

  @Test
  void aBadTextFailsOnEveryRowThatRepeatsItEachWithItsOwnIndex() throws IOException {
    long boom;
    try (TextTokenizer tokenizer = TextTokenizer.fromJson(TestModels.minilm().tokenizerBytes(), 16)) {
      boom = tokenizer.encode("boom", null).ids()[1];
    }
    Path failing = Files.createDirectories(tmp.resolve("fails-on-boom"));
    Files.write(failing.resolve(ModelBundle.MODEL_FILE),
        OnnxFixtures.failingOnToken(TestModels.minilm().modelBytes(), boom));
    for (String file : new String[] {ModelBundle.TOKENIZER_FILE, ModelBundle.CONFIG_FILE}) {
      Files.copy(TestModels.minilmDir().resolve(file), failing.resolve(file));
    }
    List<Row> rows = new ArrayList<>();
    String[] texts = {"fine", "boom", null, "boom", "fine", "boom"};
    for (int i = 0; i < texts.length; i++) {
      rows.add(RowFactory.create(i, texts[i]));
    }
    Dataset<Row> input = spark.createDataFrame(rows, new StructType().add("id", DataTypes.IntegerType)
        .add("text", DataTypes.StringType)).coalesce(1);
    TextEmbedder stage = new TextEmbedder().setModelPath(failing.toString()).setPooling("mean");

    AtomicReference<EmbeddingMetrics> metrics = zero();
    List<Row> out = collect(stage.setErrorCol("why").transform(input), metrics);
    for (int i : new int[] {1, 3, 5}) {
      assertThat(out.get(i).isNullAt(2)).as("row %d pooled_output", i).isTrue();
      assertThat(out.get(i).getString(3)).as("row %d reason", i)
          .startsWith("the model failed on this row alone (3 tokens): ");
    }
    assertThat(out.get(2).isNullAt(2)).isTrue();
    assertThat(out.get(2).isNullAt(3)).as("a null text is not an error").isTrue();
    assertThat(TestRows.vector(out.get(4), "pooled_output")).containsExactly(TestRows.vector(out.get(0),
        "pooled_output"));
    assertThat(metrics.get().failedRows()).isEqualTo(3);
    assertThat(metrics.get().duplicateRows()).as("the second fine; a failed repeat is a failed row").isEqualTo(1);
    assertThat(metrics.get().nullRows()).isEqualTo(1);
    assertThat(metrics.get().rows()).isEqualTo(6);

    TextEmbedder failingHard = new TextEmbedder().setModelPath(failing.toString()).setPooling("mean");
    assertThatThrownBy(failingHard.transform(input)::collectAsList)
        .hasStackTraceContaining("Row 1 of partition 0 (column `text`) cannot be embedded: the model failed on "
            + "this row alone (3 tokens): ");
  }

  @Test
  void tokenEncoderRunsIdenticalIdsOnceWithTheSameBitsAsTextEmbedder() {
    TextPreprocessor preprocessor = new TextPreprocessor().setModelPath(TestModels.minilmDir().toString())
        .setInputCol("premise");
    Dataset<Row> ids = preprocessor.transform(nli);
    TokenEncoder encoder = new TokenEncoder().setModelPath(TestModels.minilmDir().toString()).setPooling("mean")
        .setSequenceOutputCol("seq").setBatchSize(4);
    AtomicReference<EmbeddingMetrics> reused = zero();
    List<Row> got = collect(encoder.transform(ids).select("guid", "pooled_output", "seq"), reused);
    List<Row> expected = encoder.setReuseDuplicates(false).transform(ids).select("guid", "pooled_output", "seq")
        .collectAsList();
    List<Row> oneStage = new TextEmbedder().setModelPath(TestModels.minilmDir().toString()).setPooling("mean")
        .setInputCol("premise").setSequenceOutputCol("seq").setBatchSize(4).transform(nli)
        .select("guid", "pooled_output", "seq").collectAsList();

    assertBitIdentical(got, expected, "pooled_output", "seq");
    assertBitIdentical(got, oneStage, "pooled_output", "seq");
    assertThat(reused.get().duplicateRows()).isEqualTo(20);
    assertThat(reused.get().rows()).isEqualTo(30);
  }

  @Test
  void sqlFunctionsReuseRepeatsUnlessTheSessionConfTurnsItOff() {
    nli.createOrReplaceTempView("nli_reuse");
    String query = "SELECT guid, klue_embed(premise) AS pooled_output, klue_embed_pair(premise, hypothesis) AS p "
        + "FROM nli_reuse";
    try {
      KlueSqlFunctions.register(spark);
      spark.conf().set(KlueSqlOptions.MODEL, TestModels.minilmDir().toString());
      AtomicReference<EmbeddingMetrics> reused = zero();
      List<Row> got = collect(spark.sql(query), reused);
      spark.conf().set(KlueSqlOptions.REUSE_DUPLICATES, "false");
      AtomicReference<EmbeddingMetrics> eachRow = zero();
      List<Row> expected = collect(spark.sql(query), eachRow);

      assertBitIdentical(got, expected, "pooled_output", "p");
      assertThat(reused.get().duplicateRows()).as("the premises' repeats; the pairs are distinct").isEqualTo(20);
      assertThat(eachRow.get().duplicateRows()).isZero();
      assertThat(reused.get().rows()).isEqualTo(60);

      spark.conf().set(KlueSqlOptions.REUSE_DUPLICATES, "sometimes");
      assertThatThrownBy(() -> spark.sql(query).collect())
          .hasStackTraceContaining("spark.kluespark.reuseDuplicates must be true or false but is 'sometimes'");
    } finally {
      spark.conf().unset(KlueSqlOptions.REUSE_DUPLICATES);
      spark.conf().unset(KlueSqlOptions.MODEL);
    }
  }

  @Test
  void theParamIsSavedAndAStageSavedBeforeItExistedLoadsWithItOn() throws IOException {
    Path off = tmp.resolve("saved-off");
    new TextEmbedder().setModelPath(TestModels.minilmDir().toString()).setReuseDuplicates(false).write()
        .save(off.toString());
    assertThat(TextEmbedder.load(off.toString()).getReuseDuplicates()).isFalse();

    Path old = tmp.resolve("saved-before-reuseDuplicates");
    new TokenEncoder().setModelPath(TestModels.minilmDir().toString()).setReuseDuplicates(false).write()
        .save(old.toString());
    String stripped = stripParam(old.resolve("metadata"), "reuseDuplicates");
    assertThat(stripped).doesNotContain("reuseDuplicates").contains("\"maxSeqLength\"");
    TokenEncoder loaded = TokenEncoder.load(old.toString());
    assertThat(loaded.getReuseDuplicates()).isTrue();
    assertThat(loaded.isSet(loaded.reuseDuplicates())).isFalse();
  }

  /** Removes {@code param} from a saved stage's metadata JSON, as a stage saved before it existed has it. */
  private static String stripParam(Path metadataDir, String param) throws IOException {
    Path metadata;
    try (var files = Files.list(metadataDir)) { // part-00000 (Spark 3.5) or part-00000-<uuid>-c000.txt (4.0)
      metadata = files.filter(f -> f.getFileName().toString().startsWith("part-")).findFirst().orElseThrow();
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = (ObjectNode) json.readTree(metadata.toFile());
    assertThat(((ObjectNode) root.get("paramMap")).remove(param)).as("saved as set").isNotNull();
    assertThat(((ObjectNode) root.get("defaultParamMap")).remove(param)).as("saved with its default").isNotNull();
    String text = json.writeValueAsString(root);
    Files.writeString(metadata, text + "\n");
    // Hadoop's checksum would no longer match the edited file
    Files.deleteIfExists(metadata.resolveSibling("." + metadata.getFileName() + ".crc"));
    return text;
  }
}
