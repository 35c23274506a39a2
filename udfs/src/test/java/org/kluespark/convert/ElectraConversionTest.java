package org.kluespark.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kluespark.testing.TorchFixtures.longs;
import static org.kluespark.testing.TorchFixtures.doubles;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.checkpoint.CheckpointReader;
import org.kluespark.checkpoint.SafetensorsWriter;
import org.kluespark.checkpoint.TensorDtype;
import org.kluespark.checkpoint.WeightTensor;
import org.kluespark.synth.ModelPreset;
import org.kluespark.synth.SyntheticWeights;
import org.kluespark.testing.TestVectors;
import org.kluespark.testing.TorchFixtures;
import org.kluespark.testing.reference.ReferenceEncoder;
import org.kluespark.testing.reference.ReferenceOutput;

/**
 * ELECTRA discriminators: config ({@code embedding_size}), the projected embeddings against the float64
 * reference (itself checked against PyTorch's tiny-electra), generators refused, and the KoELECTRA presets'
 * sizes by arithmetic. Tiny shapes only (hidden 32, 2 layers): the whole class runs in about a second.
 */
class ElectraConversionTest {
  static final double TOLERANCE = 1e-4;
  static final double STDDEV = 0.05;
  /** embedding_size 16 projected to hidden 32, as KoELECTRA-small projects 128 to 256. */
  static final EncoderConfig PROJECTED =
      new EncoderConfig(EncoderFamily.ELECTRA, 200, 32, 2, 4, 64, "gelu", 40, 2, 1e-12, 0, 16);
  /** embedding_size == hidden_size, as KoELECTRA-base: BERT's graph without a pooler. */
  static final EncoderConfig UNPROJECTED =
      new EncoderConfig(EncoderFamily.ELECTRA, 200, 32, 2, 4, 64, "gelu", 40, 2, 1e-12, 0, 32);

  @TempDir Path dir;

  @Test
  void configReadsEmbeddingSizeAndDefaultsItAsHfDoes() {
    EncoderConfig small = EncoderConfig.parse("""
        {"model_type": "electra", "architectures": ["ElectraForPreTraining"], "vocab_size": 35000,
         "embedding_size": 128, "hidden_size": 256, "num_hidden_layers": 12, "num_attention_heads": 4,
         "intermediate_size": 1024, "hidden_act": "gelu", "max_position_embeddings": 512, "type_vocab_size": 2,
         "layer_norm_eps": 1e-12, "pad_token_id": 0}""", "koelectra-small/config.json");
    assertThat(small).isEqualTo(ModelPreset.KOELECTRA_SMALL_V3.config());
    assertThat(small.hasEmbeddingProjection()).isTrue();
    assertThat(small.hasTokenTypeInput()).isTrue();
    assertThat(small.positionOffset()).isZero();
    assertThat(small.summary()).isEqualTo("electra, 12 layers, hidden 256 (embeddings 128, projected), 4 heads, "
        + "intermediate 1024, vocab 35000, 512 tokens");
    assertThat(EncoderConfig.parse(small.toJson(), "round trip")).isEqualTo(small);
    assertThat(EncoderConfig.parse(ModelPreset.KOELECTRA_BASE_V3.config().toJson(), "base").hasEmbeddingProjection())
        .isFalse();

    // Without embedding_size HF's ElectraConfig says 128, whatever hidden_size is.
    EncoderConfig noField = EncoderConfig.parse("""
        {"model_type": "electra", "vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 1,
         "num_attention_heads": 4, "intermediate_size": 128, "max_position_embeddings": 64}""", "c.json");
    assertThat(noField.embeddingSize()).isEqualTo(EncoderConfig.ELECTRA_DEFAULT_EMBEDDING_SIZE);

    assertThatThrownBy(() -> new EncoderConfig(EncoderFamily.BERT, 100, 64, 1, 4, 128, "gelu", 64, 2, 1e-12, 0, 32))
        .isInstanceOf(ConversionException.class)
        .hasMessageContaining("embedding_size 32 differs from hidden_size 64, which only ELECTRA");
  }

  @Test
  void koelectraPresetsHaveThePublishedShapesAndParameterCounts() {
    // Counted from the shapes alone (no weights made): embeddings + projection + 12 layers, no pooler.
    assertThat(parameters(ModelPreset.KOELECTRA_BASE_V3.config())).isEqualTo(112_330_752L);
    assertThat(parameters(ModelPreset.KOELECTRA_SMALL_V3.config())).isEqualTo(14_056_192L);
    assertThat(EncoderWeights.expectedShapes(ModelPreset.KOELECTRA_SMALL_V3.config(), false))
        .containsEntry("embeddings.word_embeddings.weight", new long[] {35000, 128})
        .containsEntry("embeddings.LayerNorm.weight", new long[] {128})
        .containsEntry("embeddings_project.weight", new long[] {256, 128})
        .containsEntry("encoder.layer.11.intermediate.dense.weight", new long[] {1024, 256});
    assertThat(EncoderWeights.expectedShapes(ModelPreset.KOELECTRA_BASE_V3.config(), false))
        .doesNotContainKey("embeddings_project.weight");
    assertThat(ModelPreset.byId("koelectra-base-v3")).isEqualTo(ModelPreset.KOELECTRA_BASE_V3);
    assertThat(ModelPreset.KOELECTRA_BASE_V3.lowercase()).isFalse();
  }

  @Test
  void projectedElectraMatchesTheFloat64Reference() throws Exception {
    Map<String, Double> diffs = compare(PROJECTED);
    System.out.println("electra (embeddings 16 -> hidden 32) float32 max-abs vs float64 reference: " + diffs);
    assertThat(diffs).containsOnlyKeys("last_hidden_state", "hidden_states.0", "hidden_states.1", "hidden_states.2");
    assertThat(diffs.values()).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(TOLERANCE));
  }

  @Test
  void unprojectedElectraIsBertWithoutAPooler() throws Exception {
    Map<String, Double> diffs = compare(UNPROJECTED);
    System.out.println("electra (embeddings = hidden 32) float32 max-abs vs float64 reference: " + diffs);
    assertThat(diffs.values()).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(TOLERANCE));
    ModelProto model = EncoderGraphWriter.write(weights(UNPROJECTED), ExportOptions.defaults(), Map.of());
    assertThat(model.getGraph().getNodeList()).extracting(NodeProto::getName)
        .noneMatch(name -> name.startsWith("embeddings_project"));
  }

  @Test
  void strayPoolerWeightsAreIgnoredAsElectraModelHasNoPooler() {
    EncoderWeights weights = EncoderWeights.of(PROJECTED, SyntheticWeights.generate(PROJECTED, 7, true, STDDEV), "x");
    assertThat(weights.hasPooler()).isFalse();
    ModelProto model = EncoderGraphWriter.write(weights, ExportOptions.defaults(), Map.of());
    assertThat(model.getGraph().getOutputList()).extracting(ValueInfoProto::getName).doesNotContain("pooler_output");
  }

  @Test
  void graphProjectsAfterTheEmbeddingLayerNormAndHasNoPooler() {
    ModelProto model = EncoderGraphWriter.write(weights(PROJECTED), ExportOptions.defaults(), Map.of());
    assertThat(model.getGraph().getInputList()).extracting(ValueInfoProto::getName)
        .containsExactly("input_ids", "attention_mask", "token_type_ids");
    assertThat(model.getGraph().getOutputList()).extracting(ValueInfoProto::getName)
        .contains("last_hidden_state", "hidden_states.0").doesNotContain("pooler_output");
    NodeProto embeddingsOut = model.getGraph().getNodeList().stream()
        .filter(node -> node.getOutput(0).equals("hidden_states.0")).findFirst().orElseThrow();
    assertThat(embeddingsOut.getOpType()).isEqualTo("Add");
    assertThat(embeddingsOut.getInput(1)).isEqualTo("embeddings_project.bias");
    assertThat(model.getMetadataPropsList()).anyMatch(p -> p.getKey().equals("kluespark.embedding_size")
        && p.getValue().equals("16"));
  }

  @Test
  void referenceReproducesPyTorchOnTinyElectra() throws Exception {
    Path fixture = TorchFixtures.dir(TorchFixtures.TINY_ELECTRA);
    EncoderConfig config = EncoderConfig.parse(Files.readString(fixture.resolve("config.json")), "tiny-electra");
    EncoderWeights weights = EncoderWeights.of(config, CheckpointReader.read(fixture), "tiny-electra");
    JsonNode expected = new ObjectMapper().readTree(fixture.resolve("expected.json").toFile());
    long[][] ids = longs(expected.get("input_ids"));
    long[][] mask = longs(expected.get("attention_mask"));
    ReferenceOutput reference = ReferenceEncoder.forward(weights, ids, mask, longs(expected.get("token_type_ids")));
    double worst = 0;
    for (int i = 0; i <= config.numLayers(); i++) {
      worst = Math.max(worst, TestVectors.maxAbs(doubles(expected.get("hidden_states").get(i)),
          reference.hiddenStates().get(i), mask));
    }
    System.out.println("tiny-electra float64 reference vs PyTorch float32, max-abs over every hidden state: " + worst);
    assertThat(reference.pooler()).isNull();
    assertThat(worst).isLessThanOrEqualTo(TOLERANCE);
  }

  @Test
  void refusesAGeneratorByItsArchitecture() throws Exception {
    Path generator = TorchFixtures.copy(TorchFixtures.TINY_ELECTRA, dir.resolve("koelectra-generator"));
    Files.writeString(generator.resolve("config.json"), Files.readString(generator.resolve("config.json"))
        .replace("ElectraForPreTraining", "ElectraForMaskedLM"));
    assertThatThrownBy(() -> CheckpointConverter.convert(generator, dir.resolve("out"), ExportOptions.defaults(), l -> { }))
        .isInstanceOf(ConversionException.class)
        .hasMessageContaining("declares \"architectures\": [ElectraForMaskedLM]: this is an ELECTRA generator")
        .hasMessageContaining("convert the discriminator of the same model instead, e.g. "
            + "hf:monologg/koelectra-base-v3-discriminator");
    assertThat(dir.resolve("out/model.onnx")).doesNotExist();
  }

  @Test
  void refusesAGeneratorByItsHeadWeights() throws Exception {
    // An ElectraForMaskedLM state dict whose config.json does not say so (architectures removed).
    Path generator = TorchFixtures.copy(TorchFixtures.TINY_ELECTRA, dir.resolve("generator-weights"));
    Files.delete(generator.resolve("pytorch_model.bin"));
    Files.writeString(generator.resolve("config.json"), Files.readString(generator.resolve("config.json"))
        .replace("\"ElectraForPreTraining\"", ""));
    Map<String, WeightTensor> tensors = new LinkedHashMap<>(CheckpointReader.read(generator));
    tensors.keySet().removeIf(name -> name.startsWith("discriminator_predictions."));
    tensors.put("generator_lm_head.bias", new WeightTensor("generator_lm_head.bias", new long[] {149}, new float[149]));
    SafetensorsWriter.write(generator.resolve("model.safetensors"), tensors, TensorDtype.F32);
    assertThatThrownBy(() -> CheckpointConverter.convert(generator, dir.resolve("out"), ExportOptions.defaults(), l -> { }))
        .isInstanceOf(ConversionException.class)
        .hasMessageContaining("has the generator head weight \"generator_lm_head.bias\": this is an ELECTRA generator");
  }

  private static long parameters(EncoderConfig config) {
    return EncoderWeights.expectedShapes(config, false).values().stream().mapToLong(WeightTensor::elementCount).sum();
  }

  private static EncoderWeights weights(EncoderConfig config) {
    return EncoderWeights.of(config, SyntheticWeights.generate(config, 7, false, STDDEV), "synthetic");
  }

  /** Every output of the converted graph against the reference on the real tokens of a ragged batch with a pair. */
  private Map<String, Double> compare(EncoderConfig config) throws Exception {
    EncoderWeights weights = weights(config);
    ModelProto model = EncoderGraphWriter.write(weights, ExportOptions.defaults(), Map.of());
    Path bundle = dir.resolve("bundle-" + config.embeddingSize());
    OnnxModelFiles.write(model, bundle, ExportOptions.DEFAULT_EXTERNAL_DATA_THRESHOLD);
    ConversionParityTest.Batch batch = ConversionParityTest.Batch.ragged(config, new int[] {19, 7, 12, 3}, 2);
    ReferenceOutput expected = ReferenceEncoder.forward(weights, batch.ids(), batch.mask(), batch.types());
    Map<String, Double> diffs = new LinkedHashMap<>();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try (OrtSession session = env.createSession(bundle.resolve("model.onnx").toString(), new OrtSession.SessionOptions())) {
      inputs.put("input_ids", OnnxTensor.createTensor(env, batch.ids()));
      inputs.put("attention_mask", OnnxTensor.createTensor(env, batch.mask()));
      inputs.put("token_type_ids", OnnxTensor.createTensor(env, batch.types()));
      try (OrtSession.Result result = session.run(inputs)) {
        assertThat(result.get("pooler_output")).isEmpty();
        diffs.put("last_hidden_state", TestVectors.maxAbs((float[][][]) result.get("last_hidden_state").get().getValue(),
            expected.lastHiddenState(), batch.mask()));
        for (int layer = 0; layer <= config.numLayers(); layer++) {
          diffs.put("hidden_states." + layer, TestVectors.maxAbs(
              (float[][][]) result.get("hidden_states." + layer).get().getValue(), expected.hiddenStates().get(layer),
              batch.mask()));
        }
      }
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
    return diffs;
  }
}
