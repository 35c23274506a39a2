package org.kluespark.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
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

/**
 * TextPreprocessor → TokenEncoder against the one-stage TextEmbedder: the same tokens through the same
 * windows and batches must give bit-identical vectors (max-abs 0), for single texts and pairs, nulls, and
 * rows truncated to maxSeqLength, also after the two-stage PipelineModel is saved and loaded.
 */
class TwoStagePipelineTest {
  private static final int MAX_SEQ = 24;
  private static final int BATCH = 3; // several length-sorted batches per window

  private static SparkSession spark;
  private static Dataset<Row> texts;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.get();
    StructType schema = new StructType()
        .add("id", DataTypes.IntegerType)
        .add("a", DataTypes.StringType)
        .add("b", DataTypes.StringType);
    String longText = "The quick brown fox jumps over the lazy dog near the quiet river bank. ".repeat(8);
    List<Row> rows = new ArrayList<>(List.of(
        RowFactory.create(1, "The weather is nice today.", "It is sunny."),
        RowFactory.create(2, null, "no first text"),
        RowFactory.create(3, "", ""),
        RowFactory.create(4, longText, "short"),
        RowFactory.create(5, "오늘 서울은 맑고 따뜻합니다.", null),
        RowFactory.create(6, "short", longText),
        RowFactory.create(7, longText, longText)));
    for (int i = 8; i <= 16; i++) {
      rows.add(RowFactory.create(i, "sentence number " + i + " " + "word ".repeat(i), "pair " + i));
    }
    texts = spark.createDataFrame(rows, schema).repartition(2).cache();
  }

  private static String minilm() {
    return TestModels.minilmDir().toString();
  }

  private static TextEmbedder oneStage(boolean pair) {
    TextEmbedder stage = new TextEmbedder().setModelPath(minilm()).setInputCol("a").setMaxSeqLength(MAX_SEQ)
        .setBatchSize(BATCH).setSequenceOutputCol("sequence_output");
    return pair ? stage.setPairCol("b") : stage;
  }

  private static TextPreprocessor preprocessor(boolean pair) {
    TextPreprocessor stage = new TextPreprocessor().setModelPath(minilm()).setInputCol("a").setMaxSeqLength(MAX_SEQ);
    return pair ? stage.setPairCol("b") : stage;
  }

  private static TokenEncoder encoder() {
    return new TokenEncoder().setModelPath(minilm()).setMaxSeqLength(MAX_SEQ).setBatchSize(BATCH)
        .setSequenceOutputCol("sequence_output");
  }

  private static PipelineModel twoStage(TextPreprocessor preprocessor, TokenEncoder encoder) {
    return new Pipeline().setStages(new PipelineStage[] {preprocessor, encoder}).fit(texts);
  }

  private static List<Row> sorted(Dataset<Row> out) {
    return out.orderBy("id").select("id", "pooled_output", "sequence_output").collectAsList();
  }

  /** Bit-identical: same nulls, max-abs 0 on every pooled and token vector. */
  private static void assertIdentical(List<Row> got, List<Row> expected, int nullRows) {
    assertThat(got).hasSize(expected.size());
    int nulls = 0;
    for (int i = 0; i < expected.size(); i++) {
      assertThat(got.get(i).getInt(0)).isEqualTo(expected.get(i).getInt(0));
      float[] pooled = TestRows.vector(expected.get(i), "pooled_output");
      if (pooled == null) {
        nulls++;
        assertThat(got.get(i).isNullAt(1)).isTrue();
        assertThat(got.get(i).isNullAt(2)).isTrue();
        continue;
      }
      assertThat(TestRows.maxAbsDiff(TestRows.vector(got.get(i), "pooled_output"), pooled)).isZero();
      assertThat(TestRows.maxAbsDiff(TestRows.matrix(got.get(i), "sequence_output"),
          TestRows.matrix(expected.get(i), "sequence_output"))).isZero();
    }
    assertThat(nulls).isEqualTo(nullRows);
  }

  @Test
  void singleTextsMatchTheOneStageEmbedderExactly() {
    List<Row> expected = sorted(oneStage(false).transform(texts));
    assertIdentical(sorted(twoStage(preprocessor(false), encoder()).transform(texts)), expected, 1);
    assertThat(TestRows.matrix(expected.get(3), "sequence_output")).as("long text truncated").hasNumberOfRows(MAX_SEQ);
  }

  @Test
  void pairsMatchTheOneStageEmbedderExactly() {
    List<Row> expected = sorted(oneStage(true).transform(texts));
    assertIdentical(sorted(twoStage(preprocessor(true), encoder()).transform(texts)), expected, 2);
    assertThat(TestRows.matrix(expected.get(6), "sequence_output")).as("long pair truncated").hasNumberOfRows(MAX_SEQ);
  }

  @Test
  void paddedAndLongIdsGiveTheSameVectors() {
    List<Row> expected = sorted(oneStage(true).transform(texts));
    Dataset<Row> padded = preprocessor(true).setPadToMaxSeqLength(true).transform(texts);
    Row first = padded.orderBy("id").first();
    assertThat(first.<Integer>getList(first.fieldIndex("input_word_ids"))).hasSize(MAX_SEQ);
    assertIdentical(sorted(encoder().transform(padded)), expected, 2);

    Dataset<Row> longs = preprocessor(true).transform(texts)
        .withColumn("input_word_ids", org.apache.spark.sql.functions.col("input_word_ids").cast("array<bigint>"));
    assertIdentical(sorted(encoder().transform(longs)), expected, 2);
  }

  @Test
  void savedTwoStagePipelineLoadsAndGivesTheSameVectors() throws Exception {
    List<Row> expected = sorted(oneStage(true).transform(texts));
    String saved = dir.resolve("two-stage").toString();
    twoStage(preprocessor(true), encoder()).write().overwrite().save(saved);

    PipelineModel loaded = PipelineModel.load(saved);
    TextPreprocessor preprocessor = (TextPreprocessor) loaded.stages()[0];
    assertThat(preprocessor.getPairCol()).isEqualTo("b");
    assertThat(Path.of(preprocessor.getModelPath()).resolve("tokenizer.json")).exists();
    assertThat(Path.of(preprocessor.getModelPath()).resolve("model.onnx")).as("tokenizer files only").doesNotExist();
    assertThat(((TokenEncoder) loaded.stages()[1]).getBatchSize()).isEqualTo(BATCH);
    assertIdentical(sorted(loaded.transform(texts)), expected, 2);
  }

  @Test
  void preprocessorWritesTfHubStyleIntColumns() throws Exception {
    Path tokenizerOnly = Files.createDirectories(dir.resolve("tokenizer-only"));
    Files.copy(TestModels.minilmDir().resolve("tokenizer.json"), tokenizerOnly.resolve("tokenizer.json"));
    Dataset<Row> out = new TextPreprocessor().setModelPath(tokenizerOnly.toString()).setInputCol("a")
        .setPairCol("b").setMaxSeqLength(8).setPadToMaxSeqLength(true)
        .transform(spark.createDataFrame(List.of(RowFactory.create(1, "hello world", "hi")), texts.schema()));
    assertThat(out.columns()).containsExactly("id", "a", "b", "input_word_ids", "input_mask", "input_type_ids");
    assertThat(out.schema().apply("input_word_ids").dataType())
        .isEqualTo(DataTypes.createArrayType(DataTypes.IntegerType, false));
    Row row = out.first();
    assertThat(row.<Integer>getList(3)).containsExactly(101, 7592, 2088, 102, 7632, 102, 0, 0);
    assertThat(row.<Integer>getList(4)).containsExactly(1, 1, 1, 1, 1, 1, 0, 0);
    assertThat(row.<Integer>getList(5)).containsExactly(0, 0, 0, 0, 1, 1, 0, 0);
  }

  @Test
  void defaultsLineUpSoThePipelineNeedsNoColumnNames() {
    TextPreprocessor preprocessor = new TextPreprocessor();
    TokenEncoder encoder = new TokenEncoder();
    assertThat(encoder.getInputWordIdsCol()).isEqualTo(preprocessor.getInputWordIdsCol()).isEqualTo("input_word_ids");
    assertThat(encoder.getInputMaskCol()).isEqualTo(preprocessor.getInputMaskCol()).isEqualTo("input_mask");
    assertThat(encoder.getInputTypeIdsCol()).isEqualTo(preprocessor.getInputTypeIdsCol()).isEqualTo("input_type_ids");
    assertThat(preprocessor.getMaxSeqLength()).isEqualTo(encoder.getMaxSeqLength()).isEqualTo(128);
    assertThat(preprocessor.getPadToMaxSeqLength()).isFalse();
    assertThat(preprocessor.getOffsetUnit()).isEqualTo("codepoint");
    assertThat(preprocessor.getTextPrefix()).isEmpty();
    assertThat(preprocessor.getPairPrefix()).isEmpty();
    assertThat(preprocessor.params()).hasSize(13);
    assertThat(encoder.params()).hasSize(17);
    assertThat(encoder.getReuseDuplicates()).isTrue();
  }

  @Test
  void encoderRejectsWrongInputsWithTheColumnNamed() {
    assertThatThrownBy(() -> encoder().setInputWordIdsCol("a").transformSchema(texts.schema()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("inputWordIdsCol: input column `a` must be array<int> or array<bigint> but got string; "
            + "TextPreprocessor writes array<int>.");

    Dataset<Row> ids = preprocessor(false).setMaxSeqLength(32).transform(texts);
    assertThatThrownBy(() -> encoder().setMaxSeqLength(16).transform(ids).collect())
        .hasStackTraceContaining("tokens in `input_word_ids`, more than maxSeqLength 16; set maxSeqLength to at "
            + "least the preprocessor's.");

    StructType schema = new StructType()
        .add("input_word_ids", DataTypes.createArrayType(DataTypes.IntegerType))
        .add("input_mask", DataTypes.createArrayType(DataTypes.IntegerType))
        .add("input_type_ids", DataTypes.createArrayType(DataTypes.IntegerType));
    Dataset<Row> holes = spark.createDataFrame(List.of(
        RowFactory.create(List.of(101, 102).toArray(), List.of(0, 1).toArray(), List.of(0, 0).toArray())), schema);
    assertThatThrownBy(() -> encoder().transform(holes).collect())
        .hasStackTraceContaining("`input_mask` must be 1s followed by 0s (right padding), but position 1 holds 1.");
  }
}
