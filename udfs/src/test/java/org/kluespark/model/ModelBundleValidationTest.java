package org.kluespark.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.testing.OnnxFixtures;
import org.kluespark.testing.TestModels;

/** Every way a bundle can be wrong fails on the driver with one message naming the file. */
class ModelBundleValidationTest {
  @TempDir
  Path tmp;

  private Path copyOfMinilm() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("bundle"));
    for (String file : new String[] {ModelBundle.MODEL_FILE, ModelBundle.TOKENIZER_FILE, ModelBundle.CONFIG_FILE}) {
      Files.copy(TestModels.minilmDir().resolve(file), dir.resolve(file));
    }
    return dir;
  }

  private static ModelBundle load(Path dir) {
    return ModelBundleLoader.load(dir.toUri().toString(), new Configuration());
  }

  private static ModelSignature inspect(Path dir, int maxSeqLength) {
    return ModelInspector.inspect(load(dir), maxSeqLength);
  }

  private static void editConfig(Path dir, String field, int value) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode config = (ObjectNode) json.readTree(dir.resolve(ModelBundle.CONFIG_FILE).toFile());
    config.put(field, value);
    json.writeValue(dir.resolve(ModelBundle.CONFIG_FILE).toFile(), config);
  }

  @Test
  void validMinilmBundleIsDescribed() throws IOException {
    ModelSignature signature = inspect(copyOfMinilm(), 128);
    assertThat(signature.hiddenSize()).isEqualTo(384);
    assertThat(signature.hasTokenTypeIds()).isTrue();
    assertThat(signature.hasPooler()).isTrue(); // the export keeps BertModel's pooler (renamed from "882")
    assertThat(signature.tokenizerVocabSize()).isEqualTo(30522);
    assertThat(signature.embeddingVocabSize()).isEqualTo(30522);
    assertThat(signature.maxPositions()).isEqualTo(512);
    assertThat(signature.padTokenId()).isZero();
  }

  @Test
  void builtinNameResolvesToTheExtractedBundle() {
    ModelBundle bundle = ModelBundleLoader.load("minilm", new Configuration());
    assertThat(bundle.fingerprint()).isEqualTo(TestModels.minilm().fingerprint());
  }

  @Test
  void missingDirectory() {
    Path missing = tmp.resolve("nope");
    assertThatThrownBy(() -> load(missing))
        .isInstanceOf(ModelBundleException.class)
        .hasMessageContaining("Model directory " + missing.toUri().toString().replaceAll("/$", ""))
        .hasMessageContaining("does not exist");
  }

  @Test
  void pathIsAFile() throws IOException {
    Path file = Files.writeString(tmp.resolve("model.onnx"), "x");
    assertThatThrownBy(() -> load(file)).hasMessageContaining("is a file, not a directory");
  }

  @Test
  void missingModelOnnx() throws IOException {
    Path dir = copyOfMinilm();
    Files.delete(dir.resolve(ModelBundle.MODEL_FILE));
    assertThatThrownBy(() -> load(dir)).isInstanceOf(ModelBundleException.class).hasMessageContaining("has no model.onnx");
  }

  @Test
  void missingTokenizerJson() throws IOException {
    Path dir = copyOfMinilm();
    Files.delete(dir.resolve(ModelBundle.TOKENIZER_FILE));
    assertThatThrownBy(() -> load(dir)).hasMessageContaining("has no tokenizer.json");
  }

  @Test
  void truncatedOnnxIsReportedAsNotLoadable() throws IOException {
    Path dir = copyOfMinilm();
    byte[] model = Files.readAllBytes(dir.resolve(ModelBundle.MODEL_FILE));
    Files.write(dir.resolve(ModelBundle.MODEL_FILE), Arrays.copyOf(model, 100_000));
    assertThatThrownBy(() -> inspect(dir, 128))
        .isInstanceOf(ModelBundleException.class)
        .hasMessageContaining("model.onnx is not a loadable ONNX model")
        .hasMessageContaining("copied completely");
  }

  @Test
  void tokenizerJsonThatIsNotJson() throws IOException {
    Path dir = copyOfMinilm();
    Files.writeString(dir.resolve(ModelBundle.TOKENIZER_FILE), "{ not json");
    assertThatThrownBy(() -> inspect(dir, 128)).hasMessageContaining("tokenizer.json is not valid JSON");
  }

  @Test
  void tokenizerJsonWithoutModelSection() throws IOException {
    Path dir = copyOfMinilm();
    Files.writeString(dir.resolve(ModelBundle.TOKENIZER_FILE), "{\"version\": \"1.0\"}");
    assertThatThrownBy(() -> inspect(dir, 128)).hasMessageContaining("is not a HuggingFace tokenizer.json");
  }

  @Test
  void configThatIsNotJson() throws IOException {
    Path dir = copyOfMinilm();
    Files.writeString(dir.resolve(ModelBundle.CONFIG_FILE), "hidden_size=384");
    assertThatThrownBy(() -> inspect(dir, 128)).hasMessageContaining("config.json is not valid JSON");
  }

  @Test
  void maxSeqLengthBeyondPositions() throws IOException {
    Path dir = copyOfMinilm();
    assertThatThrownBy(() -> inspect(dir, 1024))
        .hasMessageContaining("maxSeqLength 1024 exceeds the 512 positions the model has")
        .hasMessageContaining("config.json: max_position_embeddings=512")
        .hasMessageContaining("Set maxSeqLength to at most 512");
  }

  @Test
  void robertaPositionsStartAfterThePadId() throws IOException {
    Path dir = copyOfMinilm();
    editConfig(dir, "max_position_embeddings", 514);
    editConfig(dir, "pad_token_id", 1);
    ObjectMapper json = new ObjectMapper();
    ObjectNode config = (ObjectNode) json.readTree(dir.resolve(ModelBundle.CONFIG_FILE).toFile());
    config.put("model_type", "roberta");
    json.writeValue(dir.resolve(ModelBundle.CONFIG_FILE).toFile(), config);
    assertThatThrownBy(() -> inspect(dir, 513)).hasMessageContaining("exceeds the 512 positions");
  }

  @Test
  void tokenizerVocabularyLargerThanEmbeddingTable() throws IOException {
    Path dir = copyOfMinilm();
    editConfig(dir, "vocab_size", 1000);
    assertThatThrownBy(() -> inspect(dir, 128))
        .hasMessageContaining("tokenizer.json can emit token ids up to 30521")
        .hasMessageContaining("embedding table has 1000 rows")
        .hasMessageContaining("does not belong to this model");
  }

  @Test
  void configHiddenSizeThatDisagreesWithTheGraph() throws IOException {
    Path dir = copyOfMinilm();
    editConfig(dir, "hidden_size", 768);
    assertThatThrownBy(() -> inspect(dir, 128))
        .hasMessageContaining("config.json says hidden_size=768")
        .hasMessageContaining("outputs vectors of 384");
  }

  @Test
  void withoutConfigTheProbeRunCatchesAVocabularyTooLarge() throws IOException {
    Path dir = copyOfMinilm();
    Files.delete(dir.resolve(ModelBundle.CONFIG_FILE));
    ObjectMapper json = new ObjectMapper();
    ObjectNode tokenizer = (ObjectNode) json.readTree(dir.resolve(ModelBundle.TOKENIZER_FILE).toFile());
    ObjectNode extra = ((ArrayNode) tokenizer.get("added_tokens")).addObject();
    extra.put("id", 40_000).put("content", "[EXTRA]").put("single_word", false).put("lstrip", false)
        .put("rstrip", false).put("normalized", false).put("special", true);
    Files.write(dir.resolve(ModelBundle.TOKENIZER_FILE), json.writeValueAsBytes(tokenizer));
    assertThatThrownBy(() -> inspect(dir, 16))
        .isInstanceOf(ModelBundleException.class)
        .hasMessageContaining("failed a probe run of 1 x 16 tokens with token id 40000")
        .hasMessageContaining("vocabulary is larger than the embedding table");
  }

  @Test
  void withoutConfigTheProbeRunCatchesTooManyPositions() throws IOException {
    Path dir = copyOfMinilm();
    Files.delete(dir.resolve(ModelBundle.CONFIG_FILE));
    assertThatThrownBy(() -> inspect(dir, 600))
        .hasMessageContaining("failed a probe run of 1 x 600 tokens")
        .hasMessageContaining("maxSeqLength exceeds the model's position embeddings");
  }

  @Test
  void fingerprintChangesWithTheFiles() throws IOException {
    Path dir = copyOfMinilm();
    String before = load(dir).fingerprint();
    Files.write(dir.resolve(ModelBundle.TOKENIZER_FILE),
        (Files.readString(dir.resolve(ModelBundle.TOKENIZER_FILE)) + " ").getBytes(StandardCharsets.UTF_8));
    assertThat(load(dir).fingerprint()).isNotEqualTo(before).hasSize(64);
  }

  private Path withModel(byte[] model) throws IOException {
    Path dir = copyOfMinilm();
    Files.write(dir.resolve(ModelBundle.MODEL_FILE), model);
    return dir;
  }

  @Test
  void renamedInputIsNamedWithTheInputsTheModelHas() throws IOException {
    Path dir = withModel(OnnxFixtures.renameInput(TestModels.minilm().modelBytes(), "input_ids", "ids"));
    assertThatThrownBy(() -> inspect(dir, 128))
        .isInstanceOf(ModelBundleException.class)
        .hasMessageEndingWith("/bundle/model.onnx takes inputs [ids] that kluespark cannot feed; an encoder takes "
            + "input_ids, attention_mask and optionally token_type_ids.");
  }

  @Test
  void inputOfTheWrongDtypeIsNamed() throws IOException {
    Path dir = withModel(OnnxFixtures.withInputType(TestModels.minilm().modelBytes(), "attention_mask", 6)); // INT32
    assertThatThrownBy(() -> inspect(dir, 128))
        .isInstanceOf(ModelBundleException.class)
        .hasMessageContaining("model.onnx: input 'attention_mask' must be an int64 tensor");
  }

  @Test
  void inputKlueSparkCannotFeedIsNamed() throws IOException {
    Path dir = withModel(OnnxFixtures.withExtraInput(TestModels.minilm().modelBytes(), "position_ids"));
    assertThatThrownBy(() -> inspect(dir, 128))
        .isInstanceOf(ModelBundleException.class)
        .hasMessageContaining("model.onnx takes inputs [position_ids] that kluespark cannot feed");
  }

  @Test
  void missingLastHiddenStateIsNamed() throws IOException {
    Path dir = withModel(OnnxFixtures.renameOutput(TestModels.minilm().modelBytes(), "last_hidden_state", "tokens"));
    assertThatThrownBy(() -> inspect(dir, 128))
        .isInstanceOf(ModelBundleException.class)
        .hasMessageContaining("model.onnx has no output 'last_hidden_state' (it has ");
  }

  @Test
  void emptyModelOnnxIsNotLoadable() throws IOException {
    Path dir = withModel(new byte[0]);
    assertThatThrownBy(() -> inspect(dir, 128))
        .isInstanceOf(ModelBundleException.class)
        .hasMessageContaining("model.onnx is not a loadable ONNX model");
  }

  @Test
  void unreadableDirectoryIsNamed() throws IOException {
    Path dir = copyOfMinilm();
    java.util.Set<java.nio.file.attribute.PosixFilePermission> before = Files.getPosixFilePermissions(dir);
    Files.setPosixFilePermissions(dir, java.util.Set.of()); // chmod 000
    try {
      Assumptions.assumeFalse(Files.isReadable(dir), ROOT_CAN_READ);
      assertThatThrownBy(() -> load(dir))
          .isInstanceOf(ModelBundleException.class)
          .hasMessageStartingWith("Cannot read model directory " + dir.toUri().toString().replaceAll("/$", ""));
    } finally {
      Files.setPosixFilePermissions(dir, before);
    }
  }

  @Test
  void unreadableModelOnnxIsNamed() throws IOException {
    Path dir = copyOfMinilm();
    Path model = dir.resolve(ModelBundle.MODEL_FILE);
    Files.setPosixFilePermissions(model, java.util.Set.of()); // chmod 000
    try {
      Assumptions.assumeFalse(Files.isReadable(model), ROOT_CAN_READ);
      assertThatThrownBy(() -> load(dir))
          .isInstanceOf(ModelBundleException.class)
          .hasMessageStartingWith("Cannot read model directory")
          .hasMessageContaining("model.onnx");
    } finally {
      Files.setPosixFilePermissions(model, java.util.Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
          java.nio.file.attribute.PosixFilePermission.OWNER_WRITE));
    }
  }

  private static final String ROOT_CAN_READ = "running as root (or with CAP_DAC_OVERRIDE): chmod 000 does not stop "
      + "this user reading, so an unreadable bundle cannot be staged here";
}
