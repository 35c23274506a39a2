package org.kluespark.stage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
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
import org.kluespark.testing.KoreanWordPiece;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;

/**
 * tokensCol and offsetsCol on Korean text with an emoji (MiniLM's graph with a cased KLUE-style WordPiece
 * tokenizer, so each token's text is a slice of the input): aligned 1:1 with sequence_output, special tokens
 * null, pairs by segment, truncation, and the same columns from TextPreprocessor.
 */
class TokenOffsetsTest {
  private static final String TEXT = "오늘 서울은 😀 맑고 좋다.";
  private static final String PAIR = "😀 날씨가 좋다";

  private static SparkSession spark;
  private static Dataset<Row> texts;
  private static String bundle;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.get();
    bundle = TestModels.bundleDir("korean-wordpiece", TestModels.minilm().modelBytes(),
        KoreanWordPiece.tokenizerJson()).toString();
    StructType schema = new StructType().add("id", DataTypes.IntegerType).add("a", DataTypes.StringType)
        .add("b", DataTypes.StringType);
    texts = spark.createDataFrame(List.of(
        RowFactory.create(1, TEXT, PAIR),
        RowFactory.create(2, null, "x"),
        RowFactory.create(3, "서울에서 비가 내린다", "오늘")), schema);
  }

  private static TextEmbedder embedder() {
    return new TextEmbedder().setModelPath(bundle).setInputCol("a").setSequenceOutputCol("sequence_output")
        .setTokensCol("tokens").setOffsetsCol("offsets");
  }

  private static List<Row> collect(Dataset<Row> out) {
    return out.orderBy("id").collectAsList();
  }

  /** "start-end" per token ("b" suffix for segment 1), "null" for special tokens. */
  private static List<String> spans(Row row) {
    List<String> out = new ArrayList<>();
    for (Object cell : row.<Object>getList(row.fieldIndex("offsets"))) {
      Row span = (Row) cell;
      out.add(span == null ? "null" : span.getInt(0) + "-" + span.getInt(1) + (span.getInt(2) == 1 ? "b" : ""));
    }
    return out;
  }

  @Test
  void tokensAndCodePointOffsetsAlignWithSequenceOutput() {
    Dataset<Row> out = embedder().transform(texts);
    assertThat(out.schema().apply("tokens").dataType().simpleString()).isEqualTo("array<string>");
    assertThat(out.schema().apply("offsets").dataType().simpleString())
        .isEqualTo("array<struct<start:int,end:int,segment:int>>");
    List<Row> rows = collect(out);

    Row first = rows.get(0);
    List<String> tokens = first.getList(first.fieldIndex("tokens"));
    assertThat(tokens).containsExactly("[CLS]", "오늘", "서울", "##은", "😀", "맑", "##고", "좋", "##다", ".", "[SEP]");
    assertThat(spans(first)).containsExactly(
        "null", "0-2", "3-5", "5-6", "7-8", "9-10", "10-11", "12-13", "13-14", "14-15", "null");
    assertThat(TestRows.matrix(first, "sequence_output")).hasNumberOfRows(tokens.size());
    int[] codePoints = TEXT.codePoints().toArray();
    for (int t = 1; t < tokens.size() - 1; t++) { // Python's text[start:end]
      Row span = first.<Row>getList(first.fieldIndex("offsets")).get(t);
      assertThat(new String(codePoints, span.getInt(0), span.getInt(1) - span.getInt(0)))
          .isEqualTo(tokens.get(t).replace("##", ""));
    }

    assertThat(rows.get(1).isNullAt(rows.get(1).fieldIndex("tokens"))).as("null text").isTrue();
    assertThat(rows.get(1).isNullAt(rows.get(1).fieldIndex("offsets"))).isTrue();
    assertThat(rows.get(2).<String>getList(rows.get(2).fieldIndex("tokens")))
        .containsExactly("[CLS]", "서울", "##에서", "비", "##가", "내린다", "[SEP]");
  }

  @Test
  void pairsTruncationAndUtf16Offsets() {
    List<Row> rows = collect(embedder().setPairCol("b").setMaxSeqLength(9).setOffsetUnit("utf16").transform(texts));
    Row first = rows.get(0);
    // 9 + 5 real tokens cut longest first to 6: 3 + 3.
    assertThat(first.<String>getList(first.fieldIndex("tokens")))
        .containsExactly("[CLS]", "오늘", "서울", "##은", "[SEP]", "😀", "날씨", "##가", "[SEP]");
    assertThat(spans(first)).containsExactly("null", "0-2", "3-5", "5-6", "null", "0-2b", "3-5b", "5-6b", "null");
    assertThat(PAIR.substring(3, 5)).isEqualTo("날씨");
    assertThat(TestRows.matrix(first, "sequence_output")).hasNumberOfRows(9);
    assertThat(rows.get(1).isNullAt(rows.get(1).fieldIndex("offsets"))).isTrue();
  }

  @Test
  void preprocessorGivesTheSameTokensAndOffsetsAsTheEmbedder() {
    List<Row> embedded = collect(embedder().setPairCol("b").transform(texts));
    List<Row> preprocessed = collect(new TextPreprocessor().setModelPath(bundle).setInputCol("a").setPairCol("b")
        .setTokensCol("tokens").setOffsetsCol("offsets").transform(texts));
    for (int i = 0; i < embedded.size(); i++) {
      Row e = embedded.get(i);
      Row p = preprocessed.get(i);
      assertThat(p.<Object>getList(p.fieldIndex("tokens"))).isEqualTo(e.<Object>getList(e.fieldIndex("tokens")));
      assertThat(p.isNullAt(p.fieldIndex("offsets"))).isEqualTo(e.isNullAt(e.fieldIndex("offsets")));
      if (!e.isNullAt(e.fieldIndex("offsets"))) {
        assertThat(spans(p)).isEqualTo(spans(e));
        assertThat(p.<Integer>getList(p.fieldIndex("input_word_ids"))).hasSameSizeAs(spans(e));
      }
    }
    assertThat(spans(preprocessed.get(2))).containsExactly("null", "0-2", "2-4", "5-6", "6-7", "8-11", "null",
        "0-2b", "null");
  }
}
