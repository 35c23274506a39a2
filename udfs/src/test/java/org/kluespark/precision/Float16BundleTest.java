package org.kluespark.precision;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.convert.CheckpointConverter;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderFamily;
import org.kluespark.convert.ExportOptions;
import org.kluespark.model.BundleManifest;
import org.kluespark.model.GraphPrecision;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelBundleLoader;
import org.kluespark.model.ModelInspector;
import org.kluespark.model.Precision;
import org.kluespark.synth.SyntheticCheckpoint;
import org.kluespark.testing.TestModels;

/** {@code kluespark convert --precision fp16} (with or without --fp16 storage) writes a bundle the loader accepts. */
class Float16BundleTest {
  static final EncoderConfig SMALL = new EncoderConfig(EncoderFamily.BERT, 3000, 32, 2, 4, 64, "gelu", 64, 2, 1e-12, 0);

  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void convertWritesAnFp16BundleThatLoadsAndProbes(boolean halfStorage) {
    Path checkpoint = tmp.resolve("checkpoint");
    SyntheticCheckpoint.write(SMALL, false,
        SyntheticCheckpoint.corpusLines(List.of(TestModels.repoRoot().resolve("datasets"))), 5, checkpoint);
    Path bundleDir = tmp.resolve("bundle");
    CheckpointConverter.convert(checkpoint, bundleDir, ExportOptions.defaults().withHalfWeights(halfStorage)
        .withPrecision(PrecisionOptions.parse("fp16", false)), line -> { });

    ModelBundle bundle = ModelBundleLoader.load(bundleDir.toUri().toString(), new Configuration());
    ModelInspector.inspect(bundle, 32); // the driver's checks and probe batch, as the stage runs them
    assertThat(GraphPrecision.of(bundle.modelBytes(), "model.onnx")).isEqualTo(Precision.FP16);
    BundleManifest manifest = bundle.manifest().orElseThrow();
    assertThat(manifest.precision()).isEqualTo(Precision.FP16);
    assertThat(manifest.parameters()).containsEntry("precision", "fp16")
        .containsEntry("converter", Float16Converter.CONVERTER);
    // fused by ONNX Runtime in float32, then converted: the fused ops take half, except the residual stream's layer
    // norms, float32 by default; no other float32 island is left
    assertThat(manifest.parameters().get("fused_ops")).contains("com.microsoft.Attention=2",
        "com.microsoft.SkipLayerNormalization=4", "com.microsoft.BiasGelu=2", "com.microsoft.EmbedLayerNormalization=1");
    assertThat(manifest.parameters()).containsEntry("float32_ops", "EmbedLayerNormalization=1, SkipLayerNormalization=4");
    assertThat(manifest.parameters().get("residual_stream")).startsWith("float32");
    assertThat(manifest.parameters().get("source_weights")).startsWith(halfStorage ? "float16" : "float32");
  }
}
