package org.kluespark.stage;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;
import org.kluespark.tokenize.TextPrefixes;

/**
 * textPrefix and pairPrefix on the stages, with MiniLM: the vectors and tokens of the prefixed texts are those of
 * the concatenated texts without the Params (max-abs 0), the prefix counts in maxSeqLength, pairs take the text
 * prefix on the first text only, offsets stay relative to the column's text, null texts stay null, and the
 * Params survive save and load. Bad input: pairPrefix without pairCol, a null prefix, a prefix on TokenEncoder.
 */
class TextPrefixTest {
  private static final String QUERY = "query: ";
  private static final String PASSAGE = "passage: ";

  private static SparkSession spark;
  private static Dataset<Row> texts;
  private static String minilm;
  private static List<Row> queryEmbedded;

  @TempDir
  static Path dir;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.get();
    minilm = TestModels.minilmDir().toString();
    StructType schema = new StructType().add("id", DataTypes.IntegerType).add("a", DataTypes.StringType)
        .add("b", DataTypes.StringType);
    Dataset<Row> rows = spark.createDataFrame(List.of(
        RowFactory.create(1, "The weather is nice today.", "It is sunny."),
        RowFactory.create(2, null, "no first text"),
        RowFactory.create(3, "", "an empty first text"),
        RowFactory.create(4, "The weather is nice today.", "It is sunny."), // a repeat (reuseDuplicates)
        RowFactory.create(5, "A sentence about the quiet river bank.", null)), schema);
    // The concatenations the Params must be equivalent to: a null text stays null (concat of a null is null).
    texts = rows.withColumn("qa", concat(lit(QUERY), col("a"))).withColumn("pb", concat(lit(PASSAGE), col("b")))
        .cache();
  }

  private static TextEmbedder embedder() {
    return new TextEmbedder().setModelPath(minilm).setBatchSize(2).setSequenceOutputCol("sequence_output")
        .setTokensCol("tokens");
  }

  private static TextPreprocessor preprocessor() {
    return new TextPreprocessor().setModelPath(minilm).setTokensCol("tokens");
  }

  /** Rows in input order: a local relation keeps its order, and the stages keep every partition's. */
  private static List<Row> collect(Dataset<Row> out) {
    return out.collectAsList();
  }

  /** Column a embedded with textPrefix "query: ", shared by the tests that need it (one model run). */
  private static synchronized List<Row> queryEmbedded() {
    if (queryEmbedded == null) {
      queryEmbedded = collect(embedder().setInputCol("a").setTextPrefix(QUERY).transform(texts));
    }
    return queryEmbedded;
  }

  /** Pooled vectors, token vectors and tokens equal (max-abs 0), nulls where the expected row has them. */
  private static void assertSameEmbeddings(List<Row> got, List<Row> expected) {
    assertThat(got).hasSameSizeAs(expected);
    for (int i = 0; i < got.size(); i++) {
      Row row = got.get(i);
      Row want = expected.get(i);
      assertThat(TestRows.vector(row, "pooled_output")).as("row %d", i)
          .isEqualTo(TestRows.vector(want, "pooled_output"));
      assertThat(TestRows.matrix(row, "sequence_output")).as("row %d", i)
          .isEqualTo(TestRows.matrix(want, "sequence_output"));
      assertThat(tokens(row)).as("row %d", i).isEqualTo(tokens(want));
    }
  }

  private static List<String> tokens(Row row) {
    int i = row.fieldIndex("tokens");
    return row.isNullAt(i) ? null : row.<String>getList(i);
  }

  @Test
  void prefixedTextsEmbedAsTheirConcatenationsAndShowThePrefixTokens() {
    List<Row> got = queryEmbedded();
    List<Row> expected = collect(embedder().setInputCol("qa").transform(texts));

    assertSameEmbeddings(got, expected);
    assertThat(tokens(got.get(0))).containsExactly("[CLS]", "query", ":", "the", "weather", "is", "nice", "today",
        ".", "[SEP]");
    assertThat(got.get(1).isNullAt(got.get(1).fieldIndex("pooled_output"))).as("a null text is not prefixed")
        .isTrue();
    assertThat(tokens(got.get(1))).isNull();
    assertThat(tokens(got.get(2))).as("an empty text: the prefix alone").containsExactly("[CLS]", "query", ":",
        "[SEP]");
    assertThat(TestRows.vector(got.get(3), "pooled_output")).as("a repeated text under the same prefix")
        .isEqualTo(TestRows.vector(got.get(0), "pooled_output"));
  }

  @Test
  void maxSeqLengthCountsThePrefixTokens() {
    // "the weather is nice today ." is 6 tokens: 8 with [CLS] and [SEP], 10 with the prefix's "query" and ":".
    Row plain = collect(preprocessor().setInputCol("a").setMaxSeqLength(8).transform(texts)).get(0);
    Row cut = collect(preprocessor().setInputCol("a").setMaxSeqLength(8).setTextPrefix(QUERY).transform(texts)).get(0);
    Row concatenated = collect(preprocessor().setInputCol("qa").setMaxSeqLength(8).transform(texts)).get(0);
    assertThat(tokens(plain)).hasSize(8).endsWith("today", ".", "[SEP]");
    assertThat(tokens(cut)).containsExactly("[CLS]", "query", ":", "the", "weather", "is", "nice", "[SEP]");
    assertThat(cut.<Integer>getList(cut.fieldIndex("input_word_ids"))).as("what the encoder gets").hasSize(8)
        .isEqualTo(concatenated.<Integer>getList(concatenated.fieldIndex("input_word_ids")));
  }

  @Test
  void pairsTakeTheTextPrefixOnTheFirstTextAndThePairPrefixOnTheSecond() {
    Row firstOnly = collect(preprocessor().setInputCol("a").setPairCol("b").setTextPrefix(QUERY).transform(texts))
        .get(0);
    assertThat(tokens(firstOnly)).containsExactly("[CLS]", "query", ":", "the", "weather", "is", "nice", "today",
        ".", "[SEP]", "it", "is", "sunny", ".", "[SEP]");

    List<Row> both = collect(embedder().setInputCol("a").setPairCol("b").setTextPrefix(QUERY)
        .setPairPrefix(PASSAGE).transform(texts));
    assertSameEmbeddings(both, collect(embedder().setInputCol("qa").setPairCol("pb").transform(texts)));
    assertThat(tokens(both.get(0))).containsExactly("[CLS]", "query", ":", "the", "weather", "is", "nice",
        "today", ".", "[SEP]", "passage", ":", "it", "is", "sunny", ".", "[SEP]");
    assertThat(both.get(4).isNullAt(both.get(4).fieldIndex("pooled_output"))).as("a null pair text stays null")
        .isTrue();

    Row types = collect(preprocessor().setInputCol("a").setPairCol("b").setTextPrefix(QUERY).setPairPrefix(PASSAGE)
        .transform(texts)).get(0);
    Row expectedTypes = collect(preprocessor().setInputCol("qa").setPairCol("pb").transform(texts)).get(0);
    assertThat(types.<Integer>getList(types.fieldIndex("input_type_ids"))).as("passage and : are segment 1")
        .isEqualTo(expectedTypes.<Integer>getList(expectedTypes.fieldIndex("input_type_ids")));
  }

  @Test
  void offsetsStayRelativeToTheColumnsTextAndThePrefixTokensHaveNone() {
    Row row = collect(preprocessor().setInputCol("a").setPairCol("b").setTextPrefix(QUERY).setPairPrefix(PASSAGE)
        .setOffsetsCol("offsets").transform(texts)).get(0);
    List<String> tokens = tokens(row);
    List<Row> offsets = row.getList(row.fieldIndex("offsets"));
    assertThat(tokens).containsExactly("[CLS]", "query", ":", "the", "weather", "is", "nice", "today", ".",
        "[SEP]", "passage", ":", "it", "is", "sunny", ".", "[SEP]");
    assertThat(offsets).hasSameSizeAs(tokens);
    for (int t : new int[] {0, 1, 2, 9, 10, 11, 16}) {
      assertThat(offsets.get(t)).as("token %d (%s): a special or prefix token", t, tokens.get(t)).isNull();
    }
    String a = row.getString(row.fieldIndex("a"));
    String b = row.getString(row.fieldIndex("b"));
    for (int t = 0; t < tokens.size(); t++) {
      Row span = offsets.get(t);
      if (span != null) { // text.substring(start, end) of the column's own text, as without a prefix
        String text = span.getInt(2) == 0 ? a : b;
        assertThat(text.substring(span.getInt(0), span.getInt(1)).toLowerCase(Locale.ROOT)).as("token %d", t)
            .isEqualTo(tokens.get(t));
      }
    }
    assertThat(offsets.get(3).getInt(0)).as("the first word starts the text").isZero();
    assertThat(offsets.get(12).getInt(0)).as("the pair's first word starts the pair text").isZero();
  }

  @Test
  void theTwoStagePipelineWithThePrefixOnThePreprocessorEqualsTheOneStage() {
    List<Row> twoStage = collect(new Pipeline().setStages(new PipelineStage[] {
        preprocessor().setInputCol("a").setTextPrefix(QUERY),
        new TokenEncoder().setModelPath(minilm).setBatchSize(2).setSequenceOutputCol("sequence_output")})
        .fit(texts).transform(texts));
    assertSameEmbeddings(twoStage, queryEmbedded());
    // TokenEncoder reads token ids: it has no text to prefix, so it has no such Param to set and ignore.
    assertThatThrownBy(() -> new TokenEncoder().getParam("textPrefix")).isInstanceOf(NoSuchElementException.class)
        .hasMessageContaining("textPrefix");
  }

  @Test
  void savedAndLoadedStagesKeepTheirPrefixes() throws Exception {
    // Both stages persist TextInputParams the same way; the preprocessor saves no 90 MB model copy.
    String path = dir.resolve("preprocessor").toString();
    preprocessor().setInputCol("a").setPairCol("b").setTextPrefix(QUERY).setPairPrefix(PASSAGE).save(path);

    TextPreprocessor loaded = TextPreprocessor.load(path);
    assertThat(loaded.getTextPrefix()).isEqualTo(QUERY);
    assertThat(loaded.getPairPrefix()).isEqualTo(PASSAGE);
    assertThat(new TextEmbedder().textPrefixes()).as("the defaults: none").isEqualTo(TextPrefixes.NONE);
  }

  @Test
  void aPairPrefixWithoutPairColIsRefusedAndANullPrefixToo() {
    StructType schema = texts.schema();
    assertThatThrownBy(() -> embedder().setInputCol("a").setPairPrefix(PASSAGE).transformSchema(schema))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pairPrefix is 'passage: ' but pairCol is not set, so there is no second text to put it "
            + "before; set pairCol, or use textPrefix for the single texts of inputCol.");
    assertThatThrownBy(() -> preprocessor().setInputCol("a").setPairPrefix(PASSAGE).transformSchema(schema))
        .hasMessageStartingWith("pairPrefix is 'passage: ' but pairCol is not set");
    assertThatThrownBy(() -> embedder().setTextPrefix(null))
        .hasMessage("Invalid textPrefix (must not be null; use \"\" for none): null");
  }

  @Test
  void rowsRepeatOneAnotherOnlyUnderTheSamePrefixes() {
    TextColumns query = new TextColumns(null, 128, 0, -1, null, new TextPrefixes(QUERY, ""));
    TextColumns passage = new TextColumns(null, 128, 0, -1, null, new TextPrefixes(PASSAGE, ""));
    Row row = RowFactory.create("The weather is nice today.");
    assertThat(query.duplicateKey(row)).isEqualTo(query.duplicateKey(RowFactory.create("The weather is nice today.")))
        .isNotEqualTo(passage.duplicateKey(row));
    assertThat(query.duplicateKey(RowFactory.create((Object) null))).isNull();

  }
}
