package org.kluespark.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestRows;
import org.kluespark.testing.TestModels;

class TextEmbedderTest {
  private static SparkSession spark;
  private static Dataset<Row> texts;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.get();
    StructType schema = new StructType()
        .add("id", DataTypes.IntegerType)
        .add("text", DataTypes.StringType)
        .add("other", DataTypes.StringType)
        .add("number", DataTypes.IntegerType);
    texts = spark.createDataFrame(List.of(
        RowFactory.create(1, "오늘 서울은 맑고 따뜻합니다.", "날씨", 7),
        RowFactory.create(2, null, "없음", 8),
        RowFactory.create(3, "", "빈 문자열", 9),
        RowFactory.create(4, "The weather is nice today.", null, 10)), schema);
  }

  private static TextEmbedder minilm() {
    return new TextEmbedder().setModelPath(TestModels.minilmDir().toString());
  }

  @Test
  void defaultsMatchTheDocumentedOnes() {
    TextEmbedder stage = new TextEmbedder();
    assertThat(stage.getInputCol()).isEqualTo("text");
    assertThat(stage.getMaxSeqLength()).isEqualTo(128);
    assertThat(stage.getBatchSize()).isEqualTo(32);
    assertThat(stage.getPooledOutputCol()).isEqualTo("pooled_output");
    assertThat(stage.getSequenceOutputCol()).isNull();
    assertThat(stage.getPairCol()).isNull();
    assertThat(stage.getPooling()).isEqualTo("auto");
    assertThat(stage.getNormalize()).isFalse();
    assertThat(stage.getOutputType()).isEqualTo("array");
    assertThat(stage.getDevice()).isEqualTo("auto");
    assertThat(stage.getOffsetUnit()).isEqualTo("codepoint");
    assertThat(stage.getErrorCol()).isNull();
    assertThat(stage.getReuseDuplicates()).isTrue();
    assertThat(stage.getTextPrefix()).isEmpty();
    assertThat(stage.getPairPrefix()).isEmpty();
    assertThat(stage.params()).hasSize(22);
  }

  @Test
  void appendsPooledColumnKeepsInputColumnsAndNullRows() {
    Dataset<Row> out = minilm().transform(texts);
    assertThat(out.columns()).containsExactly("id", "text", "other", "number", "pooled_output");
    assertThat(out.schema().apply("pooled_output").dataType())
        .isEqualTo(DataTypes.createArrayType(DataTypes.FloatType, false));
    List<Row> rows = out.collectAsList();
    assertThat(rows).extracting(r -> r.getInt(0)).containsExactly(1, 2, 3, 4);
    assertThat(rows.get(0).<Float>getList(4)).hasSize(384);
    assertThat(rows.get(1).isNullAt(4)).as("null text gives null output, row kept").isTrue();
    assertThat(rows.get(2).<Float>getList(4)).as("empty string is embedded as [CLS] [SEP]").hasSize(384);
    assertThat(rows.get(3).getString(2)).isNull();
    assertThat(rows.get(3).getInt(3)).isEqualTo(10);
  }

  @Test
  void sequenceOutputIsTrimmedToEachRowsTokens() {
    List<Row> rows = minilm().setSequenceOutputCol("sequence_output").setPooling("mean").transform(texts)
        .select("text", "sequence_output").collectAsList();
    assertThat(TestRows.matrix(rows.get(0), "sequence_output")[0]).hasSize(384);
    assertThat(TestRows.matrix(rows.get(2), "sequence_output")).as("empty text: [CLS] [SEP]").hasDimensions(2, 384);
    assertThat(TestRows.matrix(rows.get(3), "sequence_output")).as("[CLS] the weather is nice today . [SEP]")
        .hasDimensions(8, 384);
    assertThat(rows.get(1).isNullAt(1)).isTrue();
  }

  @Test
  void vectorOutputFeedsSparkMl() {
    Row row = minilm().setOutputType("vector").setNormalize(true).transform(texts).select("pooled_output").first();
    Vector vector = row.getAs(0);
    assertThat(vector.size()).isEqualTo(384);
    assertThat(Math.sqrt(vector.dot(vector))).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-6));
  }

  @Test
  void pairsUseBothColumns() {
    Dataset<Row> pairs = texts.na().fill("빈 값", new String[] {"other"});
    List<Row> single = minilm().setPooling("cls").transform(pairs).select("pooled_output").collectAsList();
    List<Row> paired = minilm().setPooling("cls").setPairCol("other").transform(pairs).select("pooled_output")
        .collectAsList();
    assertThat(paired.get(0).getList(0)).isNotEqualTo(single.get(0).getList(0));
  }

  @Test
  void nullSecondTextGivesNullOutputs() {
    List<Row> rows = minilm().setPairCol("other").transform(texts).select("id", "pooled_output").collectAsList();
    assertThat(rows.get(3).isNullAt(1)).isTrue();
    assertThat(rows.get(0).isNullAt(1)).isFalse();
  }

  @Test
  void missingInputColumnIsNamed() {
    assertThatThrownBy(() -> minilm().setInputCol("sentence").transformSchema(texts.schema()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("inputCol: input column `sentence` does not exist")
        .hasMessageContaining("[id, text, other, number]");
  }

  @Test
  void nonStringInputColumnIsRejected() {
    assertThatThrownBy(() -> minilm().setInputCol("number").transformSchema(texts.schema()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("inputCol: input column `number` must be StringType but got int; cast it to string first.");
  }

  @Test
  void nonStringPairColumnIsRejected() {
    assertThatThrownBy(() -> minilm().setPairCol("id").transformSchema(texts.schema()))
        .hasMessageStartingWith("pairCol: input column `id` must be StringType but got int");
  }

  @Test
  void existingOutputColumnIsRejected() {
    assertThatThrownBy(() -> minilm().setPooledOutputCol("other").transformSchema(texts.schema()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("pooledOutputCol: output column `other` already exists");
    assertThatThrownBy(() -> minilm().setSequenceOutputCol("text").transformSchema(texts.schema()))
        .hasMessageStartingWith("sequenceOutputCol: output column `text` already exists");
  }

  @Test
  void sameNameForBothOutputsIsRejected() {
    assertThatThrownBy(() -> minilm().setSequenceOutputCol("pooled_output").transformSchema(texts.schema()))
        .hasMessageContaining("give them different names");
  }

  @Test
  void poolerOnAModelWithoutPoolerIsRejected() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("no-pooler");
    byte[] model = org.kluespark.model.OnnxGraphs.renameTensors(TestModels.minilm().modelBytes(),
        java.util.Map.of("pooler_output", "pooled_unused"));
    java.nio.file.Files.write(dir.resolve("model.onnx"), model);
    java.nio.file.Files.write(dir.resolve("tokenizer.json"), TestModels.minilm().tokenizerBytes());
    TextEmbedder stage = new TextEmbedder().setModelPath(dir.toString());
    assertThat(stage.modelSignature().hasPooler()).isFalse();
    assertThatThrownBy(() -> stage.setPooling("pooler").transformSchema(texts.schema()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pooling=pooler, but the model at " + dir + " has no pooler_output");
    // auto falls back to mean pooling on such a model
    assertThat(stage.setPooling("auto").transform(texts).first().getList(4)).hasSize(384);
  }

  @Test
  void invalidParamValuesAreNamedWithTheValidSet() {
    assertThatThrownBy(() -> new TextEmbedder().setPooling("avg"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid pooling 'avg', expected one of [auto, pooler, cls, mean, max]");
    assertThatThrownBy(() -> new TextEmbedder().setOutputType("tensor"))
        .hasMessage("Invalid outputType 'tensor', expected one of [array, vector]");
    assertThatThrownBy(() -> new TextEmbedder().setDevice("tpu"))
        .hasMessage("Invalid device 'tpu', expected one of [auto, cpu, cuda]");
    assertThatThrownBy(() -> new TextEmbedder().setBatchSize(0)).hasMessage("Invalid batchSize (must be > 0): 0");
    assertThatThrownBy(() -> new TextEmbedder().setBatchSize(-3)).hasMessage("Invalid batchSize (must be > 0): -3");
    assertThatThrownBy(() -> new TextEmbedder().setMaxSeqLength(1))
        .hasMessage("Invalid maxSeqLength (must be >= 2): 1");
    assertThatThrownBy(() -> new TextEmbedder().setInputCol(" ")).hasMessage("Invalid inputCol (must not be empty):  ");
  }

  @Test
  void maxSeqLengthAboveTheModelsPositionsIsRejected() {
    assertThatThrownBy(() -> minilm().setMaxSeqLength(1000).transformSchema(texts.schema()))
        .hasMessageContaining("maxSeqLength 1000 exceeds the 512 positions");
  }

  @Test
  void unsetModelPathIsNamed() {
    assertThatThrownBy(() -> new TextEmbedder().transformSchema(texts.schema()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("modelPath is not set");
  }

  @Test
  void cudaWithoutAGpuFailsTheJobAndSaysWhy() {
    Dataset<Row> out = minilm().setDevice("cuda").transform(texts);
    assertThatThrownBy(out::collectAsList)
        .hasStackTraceContaining("device=cuda, but this executor has no GPU");
  }

  @Test
  void copyKeepsParams() {
    TextEmbedder stage = minilm().setPooling("max").setBatchSize(7);
    TextEmbedder copy = stage.copy(new org.apache.spark.ml.param.ParamMap());
    assertThat(copy.uid()).isEqualTo(stage.uid());
    assertThat(copy.getPooling()).isEqualTo("max");
    assertThat(copy.getBatchSize()).isEqualTo(7);
    assertThat(Arrays.asList(copy.params())).hasSize(stage.params().length);
  }
}
