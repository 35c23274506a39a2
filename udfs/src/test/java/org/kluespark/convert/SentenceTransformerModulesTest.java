package org.kluespark.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.checkpoint.SafetensorsWriter;
import org.kluespark.checkpoint.TensorDtype;
import org.kluespark.checkpoint.WeightTensor;
import org.kluespark.model.BundleManifest;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelBundleException;
import org.kluespark.model.ModelBundleLoader;
import org.kluespark.pooling.DenseLayer;
import org.kluespark.pooling.Pooling;
import org.kluespark.pooling.SentenceDeclaration;
import org.kluespark.synth.SentenceModules;
import org.kluespark.synth.SyntheticCheckpoint;

/** Reading sentence-transformers files at conversion, what the bundle records, and what is refused. */
class SentenceTransformerModulesTest {
  static final EncoderConfig TINY = new EncoderConfig(EncoderFamily.BERT, 200, 32, 1, 4, 64, "gelu", 64, 2, 1e-12, 0);
  static final List<String> CORPUS = List.of("한국어 문장 하나", "another short line");

  @TempDir Path dir;
  Path checkpoint;

  @BeforeEach
  void writeCheckpoint() {
    checkpoint = dir.resolve("checkpoint");
    SyntheticCheckpoint.write(TINY, false, CORPUS, 5, checkpoint,
        SentenceModules.of(Pooling.MEAN, true).withDense(16, DenseLayer.Activation.TANH));
  }

  @Test
  void convertRecordsTheDeclarationAndCopiesTheDenseWeightsUnderTheManifestsHash() throws Exception {
    Path bundleDir = dir.resolve("bundle");
    CheckpointConverter.Result result = CheckpointConverter.convert(checkpoint, bundleDir, ExportOptions.defaults(),
        line -> { });
    assertThat(result.declaration()).isEqualTo(new SentenceDeclaration(Pooling.MEAN,
        new DenseLayer.Config(32, 16, true, DenseLayer.Activation.TANH), true, "modules.json"));
    String manifest = Files.readString(bundleDir.resolve(BundleManifest.FILE));
    assertThat(manifest).contains("\"declared.pooling\" : \"mean\"", "\"declared.normalize\" : \"true\"",
        "\"declared.dense.out_features\" : \"16\"", "\"declared.dense.sha256\"");
    ModelBundle bundle = ModelBundleLoader.load(bundleDir.toString(), new Configuration());
    assertThat(bundle.declaration()).contains(result.declaration());
    assertThat(bundle.dense().apply(new float[32])).hasSize(16);
    // As a broadcast ships it: the weights travel once (as the file's bytes) and are read again on first use.
    float[] probe = new float[32];
    java.util.Arrays.fill(probe, 0.5f);
    ModelBundle shipped = org.apache.commons.lang3.SerializationUtils.roundtrip(bundle);
    assertThat(shipped.dense().apply(probe)).containsExactly(bundle.dense().apply(probe));

    // quantize keeps the declaration (unprefixed) and copies the Dense weights into the new bundle.
    Path int8 = dir.resolve("int8");
    BundlePrecisionWriter.write(bundle, "bundle", int8, org.kluespark.precision.PrecisionOptions.parse("int8", false),
        line -> { });
    ModelBundle quantized = ModelBundleLoader.load(int8.toString(), new Configuration());
    assertThat(quantized.declaration()).contains(result.declaration());
    assertThat(quantized.denseBytes()).isEqualTo(bundle.denseBytes());

    // A Dense file changed after conversion is refused, as a changed model.onnx is.
    byte[] dense = Files.readAllBytes(bundleDir.resolve(SentenceDeclaration.DENSE_FILE));
    dense[dense.length - 1] ^= 1;
    Files.write(bundleDir.resolve(SentenceDeclaration.DENSE_FILE), dense);
    assertThatThrownBy(() -> ModelBundleLoader.load(bundleDir.toString(), new Configuration()))
        .isInstanceOf(ModelBundleException.class)
        .hasMessageContaining("describes a dense.safetensors with sha256")
        .hasMessageContaining("the Dense weights were replaced or changed after the bundle was written");
    Files.delete(bundleDir.resolve(SentenceDeclaration.DENSE_FILE));
    assertThatThrownBy(() -> ModelBundleLoader.load(bundleDir.toString(), new Configuration()))
        .hasMessageContaining("declares a Dense layer (32 -> 16, tanh, bias), but")
        .hasMessageContaining("dense.safetensors is missing");
  }

  @Test
  void aCheckpointWithoutModulesJsonDeclaresNothing() {
    Path plain = dir.resolve("plain");
    SyntheticCheckpoint.write(TINY, false, CORPUS, 5, plain);
    assertThat(SentenceTransformerModules.read(plain, 32)).isNull();
  }

  @Test
  void shortTypeNamesAreAccepted() throws Exception {
    write("modules.json", "[{\"path\": \"\", \"type\": \"Transformer\"}, {\"path\": \"1_Pooling\", \"type\": "
        + "\"Pooling\"}]");
    assertThat(SentenceTransformerModules.read(checkpoint, 32).declaration())
        .isEqualTo(new SentenceDeclaration(Pooling.MEAN, null, false, "modules.json"));
  }

  @Test
  void anUnsupportedPoolingModeIsRefusedByName() throws Exception {
    setPoolingConfig(Map.of("pooling_mode_mean_tokens", false, "pooling_mode_attention_tokens", true));
    assertThatThrownBy(this::convert).isInstanceOf(ConversionException.class)
        .hasMessageContaining("sets pooling mode 'pooling_mode_attention_tokens', which kluespark does not support")
        .hasMessageContaining("pooling_mode_weightedmean_tokens");
  }

  @Test
  void severalModesAreRefusedNamingThem() throws Exception {
    setPoolingConfig(Map.of("pooling_mode_mean_tokens", true, "pooling_mode_max_tokens", true));
    assertThatThrownBy(this::convert)
        .hasMessageContaining("sets several pooling modes [pooling_mode_mean_tokens, pooling_mode_max_tokens]")
        .hasMessageContaining("concatenates");
  }

  @Test
  void includePromptFalseIsRefused() throws Exception {
    setPoolingConfig(Map.of("pooling_mode_mean_tokens", true, "include_prompt", false));
    assertThatThrownBy(this::convert).hasMessageContaining("sets include_prompt=false");
  }

  @Test
  void aCustomModuleTypeIsRefusedByName() throws Exception {
    write("modules.json", "[{\"path\": \"\", \"type\": \"sentence_transformers.models.Transformer\"}, "
        + "{\"path\": \"1_Pooling\", \"type\": \"sentence_transformers.models.Pooling\"}, "
        + "{\"path\": \"2_Head\", \"type\": \"my_package.SpecialHead\"}]");
    assertThatThrownBy(this::convert).isInstanceOf(ConversionException.class)
        .hasMessageContaining("names module type 'my_package.SpecialHead', which kluespark does not support")
        .hasMessageContaining("sentence_transformers.models.Dense");
  }

  @Test
  void modulesOutOfOrderAreRefused() throws Exception {
    write("modules.json", "[{\"path\": \"\", \"type\": \"Transformer\"}, {\"path\": \"3_Normalize\", \"type\": "
        + "\"Normalize\"}, {\"path\": \"1_Pooling\", \"type\": \"Pooling\"}]");
    assertThatThrownBy(this::convert).hasMessageContaining("lists modules [Transformer, Normalize, Pooling]");
  }

  @Test
  void malformedModulesJsonIsRefused() throws Exception {
    write("modules.json", "[{\"path\": \"\", \"type\": ");
    assertThatThrownBy(this::convert).isInstanceOf(ConversionException.class)
        .hasMessageContaining("modules.json is not valid JSON");
    write("modules.json", "{\"0\": \"Transformer\"}");
    assertThatThrownBy(this::convert).hasMessageContaining("modules.json is not a JSON array of modules");
    write("modules.json", "[{\"path\": \"\"}]");
    assertThatThrownBy(this::convert).hasMessageContaining("has no \"type\"");
  }

  @Test
  void missingDenseWeightsAreRefused() throws Exception {
    Files.delete(checkpoint.resolve("2_Dense/model.safetensors"));
    assertThatThrownBy(this::convert).isInstanceOf(ConversionException.class)
        .hasMessageContaining("2_Dense has no Dense weights (model.safetensors or pytorch_model.bin");
  }

  @Test
  void denseWeightsOfAnotherShapeThanTheConfigAreRefused() throws Exception {
    Map<String, WeightTensor> tensors = new LinkedHashMap<>();
    tensors.put("linear.weight", new WeightTensor("linear.weight", new long[] {8, 32}, new float[8 * 32]));
    tensors.put("linear.bias", new WeightTensor("linear.bias", new long[] {8}, new float[8]));
    SafetensorsWriter.write(checkpoint.resolve("2_Dense/model.safetensors"), tensors, TensorDtype.F32);
    assertThatThrownBy(this::convert)
        .hasMessageContaining("linear.weight has shape [8, 32], but config.json declares [16, 32]");
  }

  @Test
  void anUnsupportedActivationIsRefusedByName() throws Exception {
    write("2_Dense/config.json", "{\"in_features\": 32, \"out_features\": 16, \"bias\": true, "
        + "\"activation_function\": \"torch.nn.modules.activation.GELU\"}");
    assertThatThrownBy(this::convert)
        .hasMessageContaining("activation_function 'torch.nn.modules.activation.GELU' is not supported")
        .hasMessageContaining("torch.nn.modules.activation.Tanh");
  }

  @Test
  void aPoolingConfigOfAnotherWidthIsRefused() throws Exception {
    setPoolingConfig(Map.of("pooling_mode_cls_token", true, "word_embedding_dimension", 768));
    assertThatThrownBy(this::convert).hasMessageContaining("says word_embedding_dimension 768, but the model's "
        + "hidden_size is 32");
  }

  private void convert() {
    CheckpointConverter.convert(checkpoint, dir.resolve("out"), ExportOptions.defaults(), line -> { });
  }

  private void setPoolingConfig(Map<String, Object> config) throws Exception {
    write("1_Pooling/config.json", new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(config));
  }

  private void write(String file, String text) throws Exception {
    Files.writeString(checkpoint.resolve(file), text, StandardCharsets.UTF_8);
  }
}
