package org.kluespark.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.convert.CheckpointConverter;
import org.kluespark.convert.ExportOptions;
import org.kluespark.testing.TorchFixtures;

/** {@code kluespark.json}: written by convert, read back, and refused when it does not describe its model. */
class BundleManifestTest {
  @TempDir static Path tmp;
  static Path converted;

  @BeforeAll
  static void convert() {
    converted = tmp.resolve("tiny-bert");
    CheckpointConverter.convert(TorchFixtures.dir(TorchFixtures.TINY_BERT), converted, ExportOptions.defaults(), line -> {});
  }

  @Test
  void convertWritesAManifestThatDescribesTheModel() throws IOException {
    BundleManifest manifest = BundleManifest.parse(Files.readString(converted.resolve(BundleManifest.FILE)), "m");
    assertThat(manifest.precision()).isEqualTo(Precision.FP32);
    assertThat(manifest.modelSha256()).isEqualTo(FileDigests.sha256Hex(Files.readAllBytes(converted.resolve("model.onnx"))));
    assertThat(manifest.source().name()).isEqualTo(TorchFixtures.dir(TorchFixtures.TINY_BERT).getFileName().toString());
    assertThat(manifest.source().sha256()).hasSize(64);
    assertThat(manifest.converter()).startsWith("kluespark ");
    assertThat(manifest.parameters()).containsEntry("family", "bert").containsEntry("hidden_states", "true");

    ModelBundle bundle = load(converted);
    assertThat(bundle.manifest()).contains(manifest);
    assertThat(bundle.precision()).isEqualTo(Precision.FP32);
  }

  @Test
  void jsonRoundTrips() {
    BundleManifest manifest = new BundleManifest(Precision.INT8, "ab".repeat(32), new BundleManifest.Source("minilm", "cd".repeat(32)),
        "kluespark 9.9", Map.of("weights", "int8 symmetric per-channel"));
    assertThat(BundleManifest.parse(manifest.toJson(), "x")).isEqualTo(manifest);
    assertThat(manifest.toJson()).contains("\"precision\" : \"int8\"").contains("\"format_version\" : 1");
  }

  @Test
  void aManifestOfAnotherModelIsRefused() throws IOException {
    Path bundle = copyOf(converted, "replaced");
    Files.write(bundle.resolve("model.onnx"), Files.readAllBytes(converted.resolve("model.onnx")), java.nio.file.StandardOpenOption.APPEND);
    // Appending a second copy keeps a parseable protobuf (fields merge) but changes the file's hash.
    assertThatThrownBy(() -> load(bundle))
        .isInstanceOf(ModelBundleException.class)
        .hasMessageContaining("kluespark.json describes a model.onnx with sha256")
        .hasMessageContaining("the model was replaced or changed after the bundle was written")
        .hasMessageContaining("delete kluespark.json if the new model.onnx is meant to be used as is");
  }

  @Test
  void aManifestClaimingAnotherPrecisionIsRefused() throws IOException {
    Path bundle = copyOf(converted, "claims-int8");
    rewriteManifest(bundle, "\"precision\" : \"fp32\"", "\"precision\" : \"int8\"");
    assertThatThrownBy(() -> load(bundle))
        .isInstanceOf(ModelBundleException.class)
        .hasMessageContaining("kluespark.json says precision int8, but")
        .hasMessageContaining("model.onnx computes in fp32");
  }

  @Test
  void unreadableManifestsNameTheFile() throws IOException {
    Path bundle = copyOf(converted, "broken");
    Files.writeString(bundle.resolve(BundleManifest.FILE), "{not json");
    assertThatThrownBy(() -> load(bundle)).hasMessageContaining("kluespark.json is not valid JSON");

    rewrite(bundle, "{\"format_version\": 2, \"precision\": \"fp32\", \"model_sha256\": \"x\"}");
    assertThatThrownBy(() -> load(bundle)).hasMessageContaining("kluespark.json has format_version 2, written by a newer kluespark");

    rewrite(bundle, "{\"format_version\": 1, \"precision\": \"int4\", \"model_sha256\": \"x\"}");
    assertThatThrownBy(() -> load(bundle)).hasMessageContaining("Invalid precision 'int4', expected one of [fp32, fp16, int8]");

    rewrite(bundle, "{\"format_version\": 1, \"precision\": \"fp32\"}");
    assertThatThrownBy(() -> load(bundle)).hasMessageContaining("kluespark.json has no 'model_sha256'");
  }

  @Test
  void aBundleWithoutManifestIsReadFromItsGraph() throws IOException {
    Path bundle = copyOf(converted, "plain");
    Files.delete(bundle.resolve(BundleManifest.FILE));
    ModelBundle loaded = load(bundle);
    assertThat(loaded.manifest()).isEmpty();
    assertThat(loaded.precision()).isEqualTo(Precision.FP32);
  }

  private static void rewriteManifest(Path bundle, String from, String to) throws IOException {
    Path file = bundle.resolve(BundleManifest.FILE);
    String json = Files.readString(file);
    assertThat(json).contains(from);
    Files.writeString(file, json.replace(from, to));
  }

  private static void rewrite(Path bundle, String json) throws IOException {
    Files.writeString(bundle.resolve(BundleManifest.FILE), json);
  }

  private static ModelBundle load(Path bundle) {
    return ModelBundleLoader.load(bundle.toUri().toString(), new Configuration());
  }

  private static Path copyOf(Path bundle, String name) throws IOException {
    Path copy = Files.createDirectories(tmp.resolve(name));
    try (var files = Files.list(bundle)) {
      for (Path file : files.toList()) {
        Files.copy(file, copy.resolve(file.getFileName()));
      }
    }
    return copy;
  }
}
