package org.kluespark.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kluespark.testing.TorchFixtures.longs;
import static org.kluespark.testing.TorchFixtures.maxAbs;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.checkpoint.CheckpointReader;
import org.kluespark.model.ModelBundleException;
import org.kluespark.model.ModelBundleLoader;
import org.kluespark.model.ModelInspector;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;
import org.kluespark.testing.TorchFixtures;
import org.kluespark.testing.reference.ReferenceEncoder;
import org.kluespark.testing.reference.ReferenceOutput;
import org.kluespark.tokenize.TextTokenizer;
import org.kluespark.tokenize.sentencepiece.UnigramFixtures;
import org.kluespark.tokenize.sentencepiece.XlmRobertaTokenizerJson;

/**
 * XLM-RoBERTa end to end on a tiny checkpoint made with real PyTorch (XLMRobertaModel's code is RobertaModel's)
 * whose only tokenizer file is a SentencePiece Unigram model: the converter builds tokenizer.json from it, the
 * ids of single texts and of a pair ({@code <s> A </s></s> B </s>}) equal SentencePiece's with fairseq's offset,
 * and the converted graph, the float64 reference and the stage all reproduce PyTorch within 1e-4.
 */
class XlmRobertaFidelityTest {
  static final double TOLERANCE = 1e-4;

  @TempDir static Path temp;
  static Path checkpoint;
  static Path bundle;
  static CheckpointConverter.Result result;
  static JsonNode expected;

  @BeforeAll
  static void convert() throws Exception {
    checkpoint = checkpoint(temp.resolve("checkpoint"));
    bundle = temp.resolve("bundle");
    List<String> progress = new ArrayList<>();
    result = CheckpointConverter.convert(checkpoint, bundle, ExportOptions.defaults(), progress::add);
    assertThat(progress).anyMatch(line -> line.contains("tokenizer.json built from sentencepiece.bpe.model"));
    expected = new ObjectMapper().readTree(
        TorchFixtures.dir(TorchFixtures.TINY_XLM_ROBERTA).resolve("expected.json").toFile());
  }

  /** The fixture's config and weights plus the Unigram model as sentencepiece.bpe.model; no tokenizer.json. */
  static Path checkpoint(Path dir) throws Exception {
    Files.createDirectories(dir);
    try (Stream<Path> files = Files.list(TorchFixtures.dir(TorchFixtures.TINY_XLM_ROBERTA))) {
      for (Path file : files.filter(f -> !f.getFileName().toString().equals("expected.json")).toList()) {
        Files.copy(file, dir.resolve(file.getFileName()));
      }
    }
    Files.copy(UnigramFixtures.model(), dir.resolve(XlmRobertaTokenizerJson.SPM_FILE));
    return dir;
  }

  @Test
  void convertsAsRobertaWithItsOwnVocabulary() {
    EncoderConfig config = result.config();
    assertThat(config.family()).isEqualTo(EncoderFamily.XLM_ROBERTA);
    assertThat(config.vocabSize()).isEqualTo(2002);
    assertThat(config.hasTokenTypeInput()).isFalse();
    assertThat(config.positionOffset()).isEqualTo(2);
    assertThat(result.hasPooler()).isTrue();
    assertThat(result.tokenizerBuiltFromVocab()).isTrue();
  }

  @Test
  void builtTokenizerGivesSentencePiecesIdsForTextsAndThePair() throws Exception {
    try (TextTokenizer tokenizer = TextTokenizer.fromJson(Files.readAllBytes(bundle.resolve("tokenizer.json")), 38)) {
      JsonNode texts = expected.get("texts");
      for (int row = 0; row < texts.size(); row++) {
        JsonNode text = texts.get(row);
        long[] ids = tokenizer.encode(text.get(0).asText(), text.size() > 1 ? text.get(1).asText() : null).ids();
        assertThat(ids).as("row " + row).containsExactly(unpadded(row));
      }
    }
  }

  @Test
  void graphMatchesPyTorchAndTheFloat64Reference() throws Exception {
    long[][] ids = longs(expected.get("input_ids"));
    long[][] mask = longs(expected.get("attention_mask"));
    EncoderWeights weights = EncoderWeights.of(result.config(), CheckpointReader.read(checkpoint), "tiny-xlm-roberta");
    ReferenceOutput reference = ReferenceEncoder.forward(weights, ids, mask, null);
    Map<String, Double> vsTorch = new LinkedHashMap<>();
    Map<String, Double> vsReference = new LinkedHashMap<>();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session = env.createSession(bundle.resolve("model.onnx").toString());
        OnnxTensor idsTensor = OnnxTensor.createTensor(env, ids);
        OnnxTensor maskTensor = OnnxTensor.createTensor(env, mask);
        OrtSession.Result out = session.run(Map.of("input_ids", idsTensor, "attention_mask", maskTensor))) {
      assertThat(session.getInputNames()).containsExactlyInAnyOrder("input_ids", "attention_mask");
      float[][][] last = (float[][][]) out.get("last_hidden_state").get().getValue();
      float[][] pooler = (float[][]) out.get("pooler_output").get().getValue();
      vsTorch.put("last_hidden_state", maxAbs(last, expected.get("last_hidden_state")));
      vsTorch.put("pooler_output", maxAbs(pooler, expected.get("pooler_output")));
      vsReference.put("last_hidden_state", maxAbs(last, reference.lastHiddenState()));
      vsReference.put("pooler_output", maxAbs(pooler, reference.pooler()));
      for (int layer = 0; layer <= result.config().numLayers(); layer++) {
        float[][][] state = (float[][][]) out.get("hidden_states." + layer).get().getValue();
        vsTorch.put("hidden_states." + layer, maxAbs(state, expected.get("hidden_states").get(layer)));
        vsReference.put("hidden_states." + layer, maxAbs(state, reference.hiddenStates().get(layer)));
      }
    }
    assertThat(ReferenceEncoder.positionIds(result.config(), ids)).isDeepEqualTo(longs(expected.get("position_ids")));
    System.out.println("tiny-xlm-roberta vs PyTorch, max-abs: " + vsTorch);
    System.out.println("tiny-xlm-roberta vs float64 reference, max-abs: " + vsReference);
    assertThat(vsTorch).hasSize(5);
    assertThat(vsTorch.values()).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(TOLERANCE));
    assertThat(vsReference.values()).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(TOLERANCE));
  }

  @Test
  void stageEmbedsTextsAndAPairAsPyTorch() {
    JsonNode texts = expected.get("texts");
    List<Row> singles = new ArrayList<>();
    List<Row> pairs = new ArrayList<>();
    for (int row = 0; row < texts.size(); row++) {
      JsonNode text = texts.get(row);
      (text.size() > 1 ? pairs : singles).add(
          RowFactory.create(row, text.get(0).asText(), text.size() > 1 ? text.get(1).asText() : null));
    }
    StructType schema = new StructType().add("id", DataTypes.IntegerType).add("a", DataTypes.StringType)
        .add("b", DataTypes.StringType);
    TextEmbedder stage = new TextEmbedder().setModelPath(bundle.toString()).setInputCol("a")
        .setMaxSeqLength(38).setBatchSize(2).setPooling("pooler").setSequenceOutputCol("tokens");
    List<Row> rows = new ArrayList<>(stage.transform(SparkTestSession.get().createDataFrame(singles, schema))
        .collectAsList());
    // A null pair gives null outputs, so the pair row goes through its own stage with pairCol set.
    rows.addAll(stage.copy(new org.apache.spark.ml.param.ParamMap()).setPairCol("b")
        .transform(SparkTestSession.get().createDataFrame(pairs, schema)).collectAsList());
    double pooled = 0;
    double sequence = 0;
    for (Row row : rows) {
      int r = row.getInt(0);
      int length = unpadded(r).length;
      pooled = Math.max(pooled, maxAbs(TestRows.vector(row, "pooled_output"), expected.get("pooler_output").get(r)));
      float[][] tokens = TestRows.matrix(row, "tokens");
      assertThat(tokens).as("row " + r + " tokens").hasNumberOfRows(length);
      for (int t = 0; t < length; t++) {
        sequence = Math.max(sequence, maxAbs(tokens[t], expected.get("last_hidden_state").get(r).get(t)));
      }
    }
    System.out.printf("tiny-xlm-roberta stage (3 texts, 1 pair) vs PyTorch: pooled %.2e, sequence %.2e%n", pooled,
        sequence);
    assertThat(rows).hasSize(texts.size());
    assertThat(pairs).hasSize(1);
    assertThat(pooled).isLessThanOrEqualTo(TOLERANCE);
    assertThat(sequence).isLessThanOrEqualTo(TOLERANCE);
  }

  @Test
  void anotherModelsLargerTokenizerIsRefusedAtConvertAndAtLoad() throws Exception {
    Path foreign = checkpoint(temp.resolve("foreign-tokenizer"));
    Path minilmTokenizer = TestModels.minilmDir().resolve("tokenizer.json");
    Files.copy(minilmTokenizer, foreign.resolve("tokenizer.json"));
    assertThatThrownBy(() -> CheckpointConverter.convert(foreign, temp.resolve("foreign-bundle"),
        ExportOptions.defaults(), line -> { }))
        .isInstanceOf(ConversionException.class)
        .hasMessageContaining(foreign.resolve("tokenizer.json")
            + " can emit token ids up to 30521 (a vocabulary of 30522)")
        .hasMessageContaining("embedding table has 2002 rows (" + foreign.resolve("config.json") + ": vocab_size")
        .hasMessageContaining("does not belong to this model");
    assertThat(temp.resolve("foreign-bundle").resolve("model.onnx")).doesNotExist();

    Path swapped = temp.resolve("swapped-bundle");
    Files.createDirectories(swapped);
    for (String file : List.of("model.onnx", "config.json")) {
      Files.copy(bundle.resolve(file), swapped.resolve(file));
    }
    Files.copy(minilmTokenizer, swapped.resolve("tokenizer.json"));
    assertThatThrownBy(() -> ModelInspector.inspect(
        ModelBundleLoader.load(swapped.toUri().toString(), new Configuration()), 16))
        .isInstanceOf(ModelBundleException.class)
        .hasMessageContaining("tokenizer.json can emit token ids up to 30521")
        .hasMessageContaining("embedding table has 2002 rows")
        .hasMessageContaining("config.json: vocab_size");
  }

  /** A task checkpoint (XLMRobertaForSequenceClassification) names the encoder's weights {@code roberta.*}. */
  @Test
  void taskCheckpointWithRobertaPrefixConvertsToTheSameGraph() throws Exception {
    Path task = checkpoint(temp.resolve("task"));
    Map<String, org.kluespark.checkpoint.WeightTensor> renamed = new LinkedHashMap<>();
    for (var tensor : CheckpointReader.read(task).values()) {
      String name = "roberta." + tensor.name();
      renamed.put(name, new org.kluespark.checkpoint.WeightTensor(name, tensor.shape(), tensor.values()));
    }
    renamed.put("classifier.out_proj.weight", new org.kluespark.checkpoint.WeightTensor("classifier.out_proj.weight",
        new long[] {3, 32}, new float[96]));
    org.kluespark.checkpoint.SafetensorsWriter.write(task.resolve("model.safetensors"), renamed,
        org.kluespark.checkpoint.TensorDtype.F32);
    Path taskBundle = temp.resolve("task-bundle");
    CheckpointConverter.convert(task, taskBundle, ExportOptions.defaults(), line -> { });
    long[][] ids = longs(expected.get("input_ids"));
    long[][] mask = longs(expected.get("attention_mask"));
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession plain = env.createSession(bundle.resolve("model.onnx").toString());
        OrtSession prefixed = env.createSession(taskBundle.resolve("model.onnx").toString());
        OnnxTensor idsTensor = OnnxTensor.createTensor(env, ids);
        OnnxTensor maskTensor = OnnxTensor.createTensor(env, mask);
        OrtSession.Result a = plain.run(Map.of("input_ids", idsTensor, "attention_mask", maskTensor));
        OrtSession.Result b = prefixed.run(Map.of("input_ids", idsTensor, "attention_mask", maskTensor))) {
      assertThat((float[][][]) b.get("last_hidden_state").get().getValue())
          .isDeepEqualTo((float[][][]) a.get("last_hidden_state").get().getValue());
    }
  }

  /** multilingual-e5-small: model_type bert, XLM-R's tokenizer named in tokenizer_config.json. */
  @Test
  void bertWithXlmRobertasTokenizerBuildsItFromTheSentencePieceModel() throws Exception {
    Path dir = checkpoint(temp.resolve("bert-with-xlmr-tokenizer"));
    Files.writeString(dir.resolve("config.json"), Files.readString(dir.resolve("config.json"))
        .replace("\"xlm-roberta\"", "\"bert\"").replace("\"XLMRobertaModel\"", "\"BertModel\""));
    CheckpointConverter.Result bert = CheckpointConverter.convert(dir, temp.resolve("bert-bundle"),
        ExportOptions.defaults(), line -> { });
    assertThat(bert.config().family()).isEqualTo(EncoderFamily.BERT);
    assertThat(Files.readString(temp.resolve("bert-bundle/tokenizer.json")))
        .isEqualTo(Files.readString(bundle.resolve("tokenizer.json")));

    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"tokenizer_class\": \"BertTokenizer\"}");
    assertThatThrownBy(() -> CheckpointConverter.convert(dir, temp.resolve("bert-bundle-2"), ExportOptions.defaults(),
        line -> { }))
        .isInstanceOf(ConversionException.class)
        .hasMessageContaining("has sentencepiece.bpe.model but no tokenizer.json, and its model_type is \"bert\"");
  }

  @Test
  void withoutAnyTokenizerFileTheMessageSaysWhichFilesWork() throws Exception {
    Path dir = checkpoint(temp.resolve("no-tokenizer"));
    Files.delete(dir.resolve(XlmRobertaTokenizerJson.SPM_FILE));
    assertThatThrownBy(() -> CheckpointConverter.convert(dir, temp.resolve("no-tokenizer-bundle"),
        ExportOptions.defaults(), line -> { }))
        .isInstanceOf(ConversionException.class)
        .hasMessageContaining(dir + " has neither tokenizer.json nor sentencepiece.bpe.model");
  }

  private long[] unpadded(int row) {
    JsonNode ids = expected.get("input_ids").get(row);
    JsonNode mask = expected.get("attention_mask").get(row);
    List<Long> kept = new ArrayList<>();
    for (int t = 0; t < ids.size(); t++) {
      if (mask.get(t).asInt() == 1) {
        kept.add(ids.get(t).asLong());
      }
    }
    return kept.stream().mapToLong(Long::longValue).toArray();
  }
}
