package org.kluespark.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kluespark.testing.TorchFixtures.longs;
import static org.kluespark.testing.TorchFixtures.maxAbs;

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
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.testing.TorchFixtures;

/**
 * Converts the tiny checkpoints made with real PyTorch (safetensors and pytorch_model.bin, HF and
 * legacy weight names, an ELECTRA discriminator with its embedding projection) and compares every output with
 * PyTorch's own, on every position of a ragged
 * batch with a text pair. Tolerance 1e-4 max-abs (float32 both sides; summation order differs).
 */
class TorchFixtureConversionTest {
  static final double TOLERANCE = 1e-4;

  @TempDir Path temp;

  static Stream<Arguments> checkpoints() {
    return Stream.of(
        Arguments.of(TorchFixtures.TINY_BERT, "model.safetensors", TorchFixtures.TINY_BERT),
        Arguments.of(TorchFixtures.TINY_BERT, "pytorch_model.bin", TorchFixtures.TINY_BERT),
        Arguments.of(TorchFixtures.TINY_ROBERTA, "model.safetensors", TorchFixtures.TINY_ROBERTA),
        Arguments.of(TorchFixtures.TINY_ROBERTA, "pytorch_model.bin", TorchFixtures.TINY_ROBERTA),
        Arguments.of(TorchFixtures.TINY_BERT_LEGACY_NAMES, "model.safetensors", TorchFixtures.TINY_BERT),
        Arguments.of(TorchFixtures.TINY_ELECTRA, "model.safetensors", TorchFixtures.TINY_ELECTRA),
        Arguments.of(TorchFixtures.TINY_ELECTRA, "pytorch_model.bin", TorchFixtures.TINY_ELECTRA));
  }

  @ParameterizedTest(name = "{0} from {1}")
  @MethodSource("checkpoints")
  void conversionReproducesPyTorch(String fixture, String weightsFile, String expectedFrom) throws Exception {
    Path checkpoint = checkpointWithOnly(TorchFixtures.dir(fixture), weightsFile);
    Path bundle = temp.resolve("bundle");
    CheckpointConverter.Result result = CheckpointConverter.convert(checkpoint, bundle, ExportOptions.defaults(), line -> { });
    assertThat(result.tokenizerBuiltFromVocab()).isTrue();
    assertThat(bundle.resolve("tokenizer.json")).exists();

    JsonNode expected = new ObjectMapper().readTree(TorchFixtures.dir(expectedFrom).resolve("expected.json").toFile());
    Map<String, Double> diffs = new LinkedHashMap<>();
    try (OrtSession session = OrtEnvironment.getEnvironment().createSession(bundle.resolve("model.onnx").toString());
        OrtSession.Result outputs = run(session, expected)) {
      diffs.put("last_hidden_state", maxAbs(outputs.get("last_hidden_state").get().getValue(), expected.get("last_hidden_state")));
      // ELECTRA has no pooler: PyTorch gives none and the graph must not invent one (pooling=auto is then cls).
      assertThat(outputs.get("pooler_output").isPresent()).isEqualTo(expected.has("pooler_output"));
      if (expected.has("pooler_output")) {
        diffs.put("pooler_output", maxAbs(outputs.get("pooler_output").get().getValue(), expected.get("pooler_output")));
      }
      JsonNode hiddenStates = expected.get("hidden_states");
      for (int i = 0; i < hiddenStates.size(); i++) {
        diffs.put("hidden_states." + i, maxAbs(outputs.get("hidden_states." + i).get().getValue(), hiddenStates.get(i)));
      }
    }
    System.out.println(fixture + " from " + weightsFile + " vs PyTorch, max-abs: " + diffs);
    assertThat(diffs).hasSize((expected.has("pooler_output") ? 2 : 1) + result.config().numLayers() + 1);
    assertThat(diffs.values()).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(TOLERANCE));
  }

  /** A copy of the fixture holding one weights file, so the reader must use that format. */
  private Path checkpointWithOnly(Path fixture, String weightsFile) throws Exception {
    Path dir = temp.resolve("checkpoint");
    Files.createDirectories(dir);
    try (Stream<Path> files = Files.list(fixture)) {
      for (Path file : files.toList()) {
        String name = file.getFileName().toString();
        boolean weights = name.equals("model.safetensors") || name.equals("pytorch_model.bin");
        if ((!weights || name.equals(weightsFile)) && !name.equals("expected.json")) {
          Files.copy(file, dir.resolve(name));
        }
      }
    }
    return dir;
  }

  private static OrtSession.Result run(OrtSession session, JsonNode expected) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put("input_ids", OnnxTensor.createTensor(env, longs(expected.get("input_ids"))));
      inputs.put("attention_mask", OnnxTensor.createTensor(env, longs(expected.get("attention_mask"))));
      if (session.getInputNames().contains("token_type_ids")) {
        inputs.put("token_type_ids", OnnxTensor.createTensor(env, longs(expected.get("token_type_ids"))));
      }
      return session.run(inputs);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }
}
