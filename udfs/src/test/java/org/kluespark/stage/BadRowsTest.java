package org.kluespark.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.text.Normalizer;
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
import org.kluespark.metrics.EmbeddingMetrics;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;

/**
 * Bizarre row values through Spark with MiniLM: each is embedded (or passed through as null) with a
 * documented, exact result, and none fails the job. Listed in tests/README.md, "Bad input".
 */
class BadRowsTest {
  private static final String ONE_MB = "hello world ".repeat((1 << 20) / 12 + 1).substring(0, 1 << 20);
  private static final String HANGUL = "한글";
  private static final String[] TEXTS = {
      null, // 0
      "", // 1
      " \t\n\r  ", // 2 whitespace only
      ONE_MB, // 3
      "\ud800", // 4 a lone high surrogate
      "a\udc00b", // 5 a lone low surrogate inside a word
      "a\u0000b\u0001\u0007\u001b", // 6 NUL and control characters
      "ab", // 7 what 5 and 6 come down to
      "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67", // 8 ZWJ family emoji
      Normalizer.normalize(HANGUL, Normalizer.Form.NFD), // 9 decomposed jamo
      HANGUL, // 10
      "e\u0301", // 11 e + combining acute
      "\u00e9", // 12 é
      "한국어 English 日本語 русский العربية", // 13 mixed scripts
  };

  private static SparkSession spark;
  private static List<Row> out;
  private static EmbeddingMetrics metrics;

  @BeforeAll
  static void embed() {
    spark = SparkTestSession.get();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < TEXTS.length; i++) {
      rows.add(RowFactory.create(i, TEXTS[i]));
    }
    Dataset<Row> input = spark.createDataFrame(rows, new StructType().add("id", DataTypes.IntegerType)
        .add("text", DataTypes.StringType)).coalesce(1);
    AtomicReference<EmbeddingMetrics> total = new AtomicReference<>(EmbeddingMetrics.ZERO);
    long started = System.nanoTime();
    long tokenizeOneMb;
    try (org.kluespark.tokenize.TextTokenizer tokenizer = org.kluespark.tokenize.TextTokenizer.fromJson(
        TestModels.minilm().tokenizerBytes(), 128)) {
      tokenizer.encode(ONE_MB, null);
      tokenizeOneMb = System.nanoTime() - started;
    }
    started = System.nanoTime();
    out = ErrorColTest.collectCounting(new TextEmbedder().setModelPath(TestModels.minilmDir().toString())
        .setPooling("mean").setSequenceOutputCol("seq").setErrorCol("error").transform(input), total);
    System.out.printf("BAD-ROWS %d rows in %.1f s; tokenizing the 1 MB row alone: %.1f s%n", TEXTS.length,
        (System.nanoTime() - started) / 1e9, tokenizeOneMb / 1e9);
    metrics = total.get();
  }

  private static int tokens(int row) {
    return TestRows.matrix(out.get(row), "seq").length;
  }

  private static float[] pooled(int row) {
    return TestRows.vector(out.get(row), "pooled_output");
  }

  private static void assertSameVector(int row, int as) {
    assertThat(tokens(row)).as("row %d tokens as row %d", row, as).isEqualTo(tokens(as));
    assertThat(TestRows.maxAbsDiff(pooled(row), pooled(as))).as("row %d as row %d", row, as).isLessThan(1e-5);
  }

  @Test
  void everyRowComesOutOnceInOrderAndNoneFails() {
    assertThat(out).extracting(r -> r.getInt(0)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);
    assertThat(out).allSatisfy(r -> assertThat(r.isNullAt(4)).as("no error").isTrue());
    assertThat(out.get(3).getString(1)).as("input column untouched").hasSize(1 << 20).isEqualTo(ONE_MB);
    assertThat(metrics.rows()).isEqualTo(TEXTS.length);
    assertThat(metrics.failedRows()).isZero();
  }

  @Test
  void nullTextGivesNullOutputsAndCountsAsNull() {
    assertThat(out.get(0).isNullAt(2)).isTrue();
    assertThat(out.get(0).isNullAt(3)).isTrue();
    assertThat(metrics.nullRows()).isEqualTo(1);
  }

  @Test
  void emptyAndWhitespaceOnlyAreClsSep() {
    assertThat(tokens(1)).as("[CLS] [SEP]").isEqualTo(2);
    assertSameVector(2, 1);
  }

  @Test
  void oneMegabyteIsTruncatedAtMaxSeqLengthAndCounted() {
    assertThat(tokens(3)).isEqualTo(128);
    assertThat(metrics.truncatedRows()).as("only the 1 MB row").isEqualTo(1);
  }

  /**
   * Spark stores strings as UTF-8, which cannot encode a lone surrogate: it becomes '?' when the row enters
   * Spark (input column included), before the stage sees it. kluespark embeds what Spark hands it.
   */
  @Test
  void loneSurrogatesBecomeQuestionMarksInSpark() {
    assertThat(out.get(4).getString(1)).isEqualTo("?");
    assertThat(tokens(4)).as("[CLS] ? [SEP]").isEqualTo(3);
    assertThat(out.get(5).getString(1)).isEqualTo("a?b");
    assertThat(tokens(5)).as("[CLS] a ? b [SEP]").isEqualTo(5);
  }

  @Test
  void nulAndControlCharactersAreDroppedByTheTokenizer() {
    assertThat(out.get(6).getString(1)).as("kept in the input column").isEqualTo(TEXTS[6]);
    assertThat(tokens(7)).as("[CLS] ab [SEP]").isEqualTo(3);
    assertSameVector(6, 7);
  }

  @Test
  void zwjEmojiIsOneUnknownToken() {
    assertThat(tokens(8)).as("[CLS] [UNK] [SEP]").isEqualTo(3);
  }

  @Test
  void decomposedAndComposedFormsGetTheSameVector() {
    assertThat(tokens(10)).isEqualTo(8); // MiniLM's uncased normalizer decomposes Hangul into jamo pieces
    assertSameVector(9, 10);
    assertThat(tokens(12)).isEqualTo(3); // accents stripped: "e"
    assertSameVector(11, 12);
  }

  @Test
  void mixedScriptsAreEmbedded() {
    assertThat(tokens(13)).isGreaterThan(13);
    assertThat(pooled(13)).hasSize(384);
  }

  @Test
  void aPairWithEitherSideNullGivesNullOutputs() {
    StructType schema = new StructType().add("a", DataTypes.StringType).add("b", DataTypes.StringType);
    List<Row> pairs = new TextEmbedder().setModelPath(TestModels.minilmDir().toString()).setInputCol("a")
        .setPairCol("b").setSequenceOutputCol("seq").transform(spark.createDataFrame(List.of(
            RowFactory.create("left", "right"), RowFactory.create(null, "right"), RowFactory.create("left", null),
            RowFactory.create(null, null), RowFactory.create("", "")), schema)).collectAsList();
    assertThat(pairs.get(0).isNullAt(2)).isFalse();
    for (int i = 1; i <= 3; i++) {
      assertThat(pairs.get(i).isNullAt(2)).as("pair %d pooled", i).isTrue();
      assertThat(pairs.get(i).isNullAt(3)).as("pair %d sequence", i).isTrue();
    }
    assertThat(TestRows.matrix(pairs.get(4), "seq")).as("[CLS] [SEP] [SEP]").hasNumberOfRows(3);
  }

  @Test
  void nonStringInputColumnsAreRejectedByTransformSchemaNamingColumnAndType() {
    StructType schema = new StructType().add("text", DataTypes.StringType).add("n", DataTypes.IntegerType)
        .add("bytes", DataTypes.BinaryType).add("words", DataTypes.createArrayType(DataTypes.StringType));
    TextEmbedder stage = new TextEmbedder().setModelPath(TestModels.minilmDir().toString());
    for (String[] column : Arrays.asList(new String[] {"n", "int"}, new String[] {"bytes", "binary"},
        new String[] {"words", "array<string>"})) {
      assertThatThrownBy(() -> stage.setInputCol(column[0]).transformSchema(schema))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("inputCol: input column `" + column[0] + "` must be StringType but got " + column[1]
              + "; cast it to string first.");
    }
    assertThatThrownBy(() -> stage.setInputCol("text").setPairCol("bytes").transformSchema(schema))
        .hasMessage("pairCol: input column `bytes` must be StringType but got binary; cast it to string first.");
  }

  @Test
  void pairColumnEqualToTheInputColumnIsRejected() {
    StructType schema = new StructType().add("text", DataTypes.StringType);
    assertThatThrownBy(() -> new TextEmbedder().setModelPath(TestModels.minilmDir().toString()).setPairCol("text")
        .transformSchema(schema))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pairCol and inputCol are both `text`: a pair needs two different columns; unset pairCol to "
            + "embed single texts.");
  }

  @Test
  void missingPairColumnIsNamed() {
    StructType schema = new StructType().add("text", DataTypes.StringType);
    assertThatThrownBy(() -> new TextEmbedder().setModelPath(TestModels.minilmDir().toString()).setPairCol("other")
        .transformSchema(schema))
        .hasMessage("pairCol: input column `other` does not exist. Available columns: [text]");
  }
}
