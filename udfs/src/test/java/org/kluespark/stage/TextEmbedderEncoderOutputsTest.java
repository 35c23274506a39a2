package org.kluespark.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.inference.EncoderSession;
import org.kluespark.inference.ExecutionTarget;
import org.kluespark.inference.OrtSessionFactory;
import org.kluespark.inference.TokenBatch;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;
import org.kluespark.tokenize.TextTokenizer;
import org.kluespark.tokenize.TokenizedText;

/**
 * {@code encoderOutputsCol} / {@code encoderLayers} on MiniLM with its real per-layer tensors exposed as
 * {@code hidden_states.0} … {@code hidden_states.6} ({@link TestModels#minilmWithHiddenStatesDir()}).
 */
class TextEmbedderEncoderOutputsTest {
  private static final int LAYERS = 7; // embeddings + 6 encoder layers
  private static final int HIDDEN = 384;

  private static SparkSession spark;
  private static Dataset<Row> texts;
  private static Path fixtureDir;
  private static OrtSession reference;
  private static TextTokenizer tokenizer;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() throws OrtException {
    spark = SparkTestSession.get();
    fixtureDir = TestModels.minilmWithHiddenStatesDir();
    StructType schema = new StructType().add("id", DataTypes.IntegerType).add("text", DataTypes.StringType);
    // One batch of rows of different lengths, so most rows are padded in the stage's batch.
    texts = spark.createDataFrame(List.of(
        RowFactory.create(1, "오늘 서울은 맑고 따뜻합니다."),
        RowFactory.create(2, null),
        RowFactory.create(3, ""),
        RowFactory.create(4, "The weather is nice today."),
        RowFactory.create(5, "A much longer sentence, which makes every other row of the batch carry padding "
            + "tokens that the encoder outputs must not keep.")), schema);
    // The reference: ONNX Runtime with default options on one unpadded row at a time.
    reference = OrtEnvironment.getEnvironment().createSession(fixtureDir.resolve("model.onnx").toString(),
        new OrtSession.SessionOptions());
    tokenizer = TextTokenizer.fromJson(TestModels.minilm().tokenizerBytes(), 128);
  }

  @AfterAll
  static void close() throws OrtException {
    reference.close();
    tokenizer.close();
  }

  private static TextEmbedder fixture() {
    return new TextEmbedder().setModelPath(fixtureDir.toString());
  }

  private static float[][][] layers(Row row, String column) {
    return TestRows.layers(row, column);
  }

  /** Hidden state {@code layer} of {@code text} alone, straight from ONNX Runtime: [tokens][hidden]. */
  private static float[][] referenceLayer(String text, int layer) throws OrtException {
    TokenizedText tokens = tokenizer.encode(text, null);
    long[] shape = {1, tokens.length()};
    long[] mask = new long[tokens.length()];
    Arrays.fill(mask, 1L);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(tokens.ids()), shape);
        OnnxTensor attention = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
        OnnxTensor types = OnnxTensor.createTensor(env, LongBuffer.wrap(tokens.typeIds()), shape);
        OrtSession.Result result = reference.run(
            Map.of("input_ids", ids, "attention_mask", attention, "token_type_ids", types),
            Set.of("hidden_states." + layer))) {
      return ((float[][][]) result.get(0).getValue())[0];
    }
  }

  @Test
  void defaultsAreUnset() {
    TextEmbedder stage = new TextEmbedder();
    assertThat(stage.getEncoderOutputsCol()).isNull();
    assertThat(stage.getEncoderLayers()).as("unset = all layers").isNull();
    assertThat(stage.encoderLayers().doc()).contains("TF Hub BERT's encoder_outputs are layers 1..L")
        .contains("-1 = L");
  }

  @Test
  void schemaHasTheColumnAfterTheOtherOutputs() {
    StructType out = fixture().setSequenceOutputCol("sequence_output").setEncoderOutputsCol("encoder_outputs")
        .transformSchema(texts.schema());
    assertThat(out.fieldNames()).containsExactly("id", "text", "pooled_output", "sequence_output", "encoder_outputs");
    ArrayType floats = DataTypes.createArrayType(DataTypes.FloatType, false);
    assertThat(out.apply("encoder_outputs").dataType())
        .isEqualTo(DataTypes.createArrayType(DataTypes.createArrayType(floats, false), false));
    assertThat(out.apply("encoder_outputs").nullable()).isTrue();
  }

  @Test
  void everyLayerIsTrimmedLikeSequenceOutputAndMatchesOnnxRuntime() throws OrtException {
    List<Row> rows = fixture().setSequenceOutputCol("sequence_output").setEncoderOutputsCol("encoder_outputs")
        .transform(texts).orderBy("id").collectAsList();
    assertThat(rows.get(1).isNullAt(rows.get(1).fieldIndex("encoder_outputs"))).as("null text: null, like sequence")
        .isTrue();
    assertThat(rows.get(1).isNullAt(rows.get(1).fieldIndex("sequence_output"))).isTrue();

    double lastVsSequence = 0;
    double vsReference = 0;
    for (Row row : rows) {
      String text = row.getString(1);
      if (text == null) {
        continue;
      }
      float[][] sequence = TestRows.matrix(row, "sequence_output");
      float[][][] layers = layers(row, "encoder_outputs");
      assertThat(layers).as("row %s", row.get(0)).hasNumberOfRows(LAYERS);
      for (int k = 0; k < LAYERS; k++) {
        assertThat(layers[k]).as("row %s layer %d", row.get(0), k).hasDimensions(sequence.length, HIDDEN);
        vsReference = Math.max(vsReference, TestRows.maxAbsDiff(layers[k], referenceLayer(text, k)));
      }
      lastVsSequence = Math.max(lastVsSequence, TestRows.maxAbsDiff(layers[LAYERS - 1], sequence));
      assertThat(TestRows.maxAbsDiff(layers[0], layers[LAYERS - 1])).as("layers are distinct tensors")
          .isGreaterThan(0.1);
    }
    assertThat(layers(rows.get(2), "encoder_outputs")[0]).as("empty text: [CLS] [SEP]").hasDimensions(2, HIDDEN);
    System.out.printf("encoder_outputs: last layer vs sequence_output max-abs %.3e; every layer vs a direct "
        + "ONNX Runtime run max-abs %.3e%n", lastVsSequence, vsReference);
    assertThat(lastVsSequence).isZero();
    assertThat(vsReference).isLessThanOrEqualTo(1e-5);
  }

  @Test
  void encoderLayersSelectsInTheGivenOrderWithNegativeIndicesAndDuplicates() {
    Dataset<Row> all = fixture().setEncoderOutputsCol("all").transform(texts);
    List<Row> rows = fixture().setPooledOutputCol("pooled_again").setEncoderOutputsCol("chosen")
        .setEncoderLayers(-1, 0, 3, -7, -1).transform(all)
        .orderBy("id").collectAsList();
    int[] expected = {6, 0, 3, 0, 6};
    for (Row row : rows) {
      if (row.getString(1) == null) {
        assertThat(row.isNullAt(row.fieldIndex("chosen"))).isTrue();
        continue;
      }
      float[][][] every = layers(row, "all");
      float[][][] chosen = layers(row, "chosen");
      float[][][] wanted = new float[expected.length][][];
      for (int k = 0; k < expected.length; k++) {
        wanted[k] = every[expected[k]];
      }
      assertThat(TestRows.maxAbsDiff(chosen, wanted)).as("row %s", row.get(0)).isZero();
    }
  }

  @Test
  void aModelWithoutHiddenStatesFailsAndSaysHowToConvert() {
    Path minilm = TestModels.minilmDir();
    TextEmbedder stage = new TextEmbedder().setModelPath(minilm.toString()).setEncoderOutputsCol("encoder_outputs");
    assertThatThrownBy(() -> stage.transformSchema(texts.schema()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("encoderOutputsCol is set, but the model at " + minilm + " has no hidden_states outputs. "
            + "Convert the checkpoint with `kluespark convert` without --no-hidden-states, or unset "
            + "encoderOutputsCol.");
    assertThatThrownBy(() -> stage.transform(texts)).hasMessageStartingWith("encoderOutputsCol is set");
    // Without the column the same model runs, whatever encoderLayers says.
    assertThat(new TextEmbedder().setModelPath(minilm.toString()).setEncoderLayers(99).transformSchema(texts.schema())
        .fieldNames()).containsExactly("id", "text", "pooled_output");
  }

  @Test
  void anIndexOutOfRangeIsNamedWithTheValidRange() {
    String range = " is out of range; the model at " + fixtureDir + " has hidden states 0..6 (embeddings + 6 "
        + "layers), so valid indices are -7..6.";
    assertThatThrownBy(() -> fixture().setEncoderOutputsCol("e").setEncoderLayers(0, 7).transformSchema(texts.schema()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("encoderLayers: index 7" + range);
    assertThatThrownBy(() -> fixture().setEncoderOutputsCol("e").setEncoderLayers(-8).transformSchema(texts.schema()))
        .hasMessage("encoderLayers: index -8" + range);
    assertThatThrownBy(() -> new TextEmbedder().setEncoderLayers())
        .hasMessage("Invalid encoderLayers (must not be empty): []");
  }

  @Test
  void columnNameClashesAreNamed() {
    assertThatThrownBy(() -> fixture().setEncoderOutputsCol("text").transformSchema(texts.schema()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("encoderOutputsCol: output column `text` already exists; choose another name or drop the "
            + "column first.");
    assertThatThrownBy(() -> fixture().setEncoderOutputsCol("pooled_output").transformSchema(texts.schema()))
        .hasMessage("encoderOutputsCol and pooledOutputCol are both `pooled_output`; give them different names.");
    assertThatThrownBy(() -> fixture().setSequenceOutputCol("tokens").setEncoderOutputsCol("tokens")
        .transformSchema(texts.schema()))
        .hasMessage("encoderOutputsCol and sequenceOutputCol are both `tokens`; give them different names.");
    assertThatThrownBy(() -> new TextEmbedder().setEncoderOutputsCol(" "))
        .hasMessage("Invalid encoderOutputsCol (must not be empty):  ");
  }

  @Test
  void saveAndLoadKeepTheParams() throws Exception {
    TextEmbedder stage = fixture().setEncoderOutputsCol("encoder_outputs").setEncoderLayers(-1, 2, 2);
    String path = tmp.resolve("stage").toString();
    stage.write().overwrite().save(path);
    TextEmbedder loaded = TextEmbedder.load(path);
    assertThat(loaded.getEncoderOutputsCol()).isEqualTo("encoder_outputs");
    assertThat(loaded.getEncoderLayers()).containsExactly(-1, 2, 2);
    assertThat(metadataJson(path))
        .contains("\"encoderLayers\":[-1,2,2]", "\"encoderOutputsCol\":\"encoder_outputs\"");
    Row row = loaded.transform(texts.limit(1)).first();
    assertThat(layers(row, "encoder_outputs")).hasNumberOfRows(3);
    TextEmbedder unset = TextEmbedder.load(saveDefaults());
    assertThat(unset.getEncoderOutputsCol()).isNull();
    assertThat(unset.getEncoderLayers()).isNull();
  }

  /** Spark's saved Params JSON (one part file under metadata/). */
  private static String metadataJson(String path) throws Exception {
    try (Stream<Path> files = Files.list(Path.of(path, "metadata"))) {
      Path part = files.filter(f -> f.getFileName().toString().startsWith("part-")).findFirst().orElseThrow();
      return Files.readString(part);
    }
  }

  private String saveDefaults() throws Exception {
    String path = tmp.resolve("defaults").toString();
    fixture().write().overwrite().save(path);
    return path;
  }

  @Test
  void theSessionReturnsOnlyTheRequestedLayers() throws OrtException {
    TextEmbedder stage = fixture();
    try (EncoderSession session = new EncoderSession(
        OrtSessionFactory.create(stage.modelBundle().modelBytes(), ExecutionTarget.CPU, 1),
        stage.modelSignature(), ExecutionTarget.CPU)) {
      TokenBatch batch = TokenBatch.pad(List.of(tokenizer.encode("hello", null)), 0);
      assertThat(session.run(batch, Set.of(2, 5)).hiddenStates()).containsOnlyKeys(2, 5);
      assertThat(session.run(batch).hiddenStates()).as("no layers unless asked").isEmpty();
      assertThatThrownBy(() -> session.run(batch, Set.of(7)))
          .hasMessage("Hidden state 7 does not exist: the model has hidden states 0..6");
    }
  }
}
