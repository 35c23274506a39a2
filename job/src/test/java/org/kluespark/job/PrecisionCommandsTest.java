package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.testing.TorchFixtures;

/** {@code convert --precision}, {@code quantize} and what {@code info} says of the result, as a user runs them. */
class PrecisionCommandsTest {
  @TempDir Path tmp;

  private final String checkpoint = TorchFixtures.dir(TorchFixtures.TINY_BERT).toString();

  @Test
  void convertWritesAManifestThatInfoPrints() {
    Path bundle = tmp.resolve("fp32");
    CliRun convert = CliRun.of("convert", checkpoint, "--output", bundle.toString());
    assertThat(convert.exitCode()).as(convert.printed()).isZero();
    assertThat(bundle.resolve("kluespark.json")).exists();
    CliRun info = CliRun.of("info", "--model", bundle.toString(), "--max-seq-length", "16");
    assertThat(info.exitCode()).as(info.printed()).isZero();
    assertThat(info.out()).contains("precision:             fp32\n").contains("source:                tiny-bert (sha256 ")
        .contains("written by:            kluespark ").contains("  family:              bert");
  }

  @Test
  void int8AndHalfWeightsTogetherAreRefused() {
    CliRun run = CliRun.of("convert", checkpoint, "--output", tmp.resolve("b").toString(), "--precision", "int8", "--fp16");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Half weights (--fp16: float16 storage of float32 weights) and precision int8 "
        + "(--precision int8: int8 weights) exclude each other: choose one.");
    assertThat(tmp.resolve("b")).doesNotExist();
  }

  @Test
  void badPrecisionFlagsNameTheValidValues() {
    CliRun unknown = CliRun.of("convert", checkpoint, "--output", tmp.resolve("b").toString(), "--precision", "int4");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("Invalid --precision 'int4', expected one of [fp32, fp16, int8]");

    CliRun perTensor = CliRun.of("quantize", "--model", "minilm", "--output", tmp.resolve("q").toString(),
        "--precision", "fp16", "--per-tensor");
    assertThat(perTensor.exitCode()).isEqualTo(2);
    assertThat(perTensor.err()).contains("per-tensor weight scales (--per-tensor) apply to int8 only, not to fp16");

    CliRun residual = CliRun.of("convert", checkpoint, "--output", tmp.resolve("r").toString(), "--precision", "fp16",
        "--fp16-residual", "half");
    assertThat(residual.exitCode()).isEqualTo(2);
    assertThat(residual.err()).contains("Invalid --fp16-residual 'half', expected one of [float32, float16]");
    CliRun int8Residual = CliRun.of("quantize", "--model", "minilm", "--output", tmp.resolve("q").toString(),
        "--fp16-residual", "float16");
    assertThat(int8Residual.exitCode()).isEqualTo(2);
    assertThat(int8Residual.err()).contains("a float16 residual stream (--fp16-residual float16) applies to fp16 only, "
        + "not to int8");
    // refused before the checkpoint is looked at (no hub download for a typo)
    CliRun outliers = CliRun.of("convert", tmp.resolve("no-such-checkpoint").toString(), "--output",
        tmp.resolve("o").toString(), "--precision", "int8", "--outlier-channels", "drop");
    assertThat(outliers.exitCode()).isEqualTo(2);
    assertThat(outliers.err()).contains("Invalid --outlier-channels 'drop', expected one of [scaled, float32, off]");
    CliRun halfOutliers = CliRun.of("quantize", "--model", "minilm", "--output", tmp.resolve("q").toString(),
        "--precision", "fp16", "--outlier-channels", "float32");
    assertThat(halfOutliers.exitCode()).isEqualTo(2);
    assertThat(halfOutliers.err()).contains("int8 quantization options (--outlier-channels) apply to int8 only, not to "
        + "fp16");
  }

  @Test
  void outlierChannelsChooseWhatTheInt8ManifestRecords() {
    for (String mode : List.of("float32", "off")) {
      Path int8 = tmp.resolve("tiny-bert-int8-" + mode);
      CliRun convert = CliRun.of("convert", org.kluespark.testing.TorchFixtures.dir(
          org.kluespark.testing.TorchFixtures.TINY_BERT).toString(), "--output", int8.toString(), "--precision", "int8",
          "--outlier-channels", mode);
      assertThat(convert.exitCode()).as(convert.printed()).isZero();
      CliRun info = CliRun.of("info", "--model", int8.toString(), "--max-seq-length", "16");
      assertThat(info.exitCode()).as(info.printed()).isZero();
      assertThat(info.out()).contains(mode.equals("off") ? "  activation_probe:    off" : "  outlier_channels:    float32");
    }
  }

  @Test
  void quantizeWritesAnInt8BundleThatInfoAndEmbedTakeAndThatIsNotQuantizedTwice() throws java.io.IOException {
    Path int8 = tmp.resolve("minilm-int8");
    CliRun quantize = CliRun.of("quantize", "--model", "minilm", "--output", int8.toString());
    assertThat(quantize.exitCode()).as(quantize.printed()).isZero();
    assertThat(quantize.out()).contains("kluespark: wrote int8 bundle " + int8);
    // fp32: 90,984,200 bytes; the encoder weights shrink 4x, the 30522 x 384 word-embedding table stays float32.
    assertThat(java.nio.file.Files.size(int8.resolve("model.onnx"))).isLessThan(62_000_000L);

    CliRun info = CliRun.of("info", "--model", int8.toString(), "--max-seq-length", "16");
    assertThat(info.exitCode()).as(info.printed()).isZero();
    assertThat(info.out()).contains("precision:             int8\n").contains("  weight_granularity:  per-channel");

    CliRun again = CliRun.of("quantize", "--model", int8.toString(), "--output", tmp.resolve("twice").toString());
    assertThat(again.exitCode()).isEqualTo(2);
    assertThat(again.err()).contains("is already int8; int8 bundles are made from a float32 bundle or checkpoint");
    assertThat(tmp.resolve("twice")).doesNotExist();

    Path output = tmp.resolve("embedded");
    CliRun embed = CliRun.of("embed", "--model", int8.toString(), "--input",
        org.kluespark.testing.TestModels.repoRoot().resolve("datasets/klue-sts-sample.jsonl").toString(),
        "--text-col", "sentence1", "--output", output.toString(), "--master", "local[1]");
    assertThat(embed.exitCode()).as(embed.printed()).isZero();
    assertThat(embed.out()).contains("kluespark: embedded 30 rows");
  }
  @Test
  void convertFp16WritesTheFusedGraphAndInfoPrintsIt() {
    Path half = tmp.resolve("tiny-bert-fp16");
    CliRun convert = CliRun.of("convert", org.kluespark.testing.TorchFixtures.dir(
        org.kluespark.testing.TorchFixtures.TINY_BERT).toString(), "--output", half.toString(), "--precision", "fp16");
    assertThat(convert.exitCode()).as(convert.printed()).isZero();
    assertThat(convert.out()).contains("fp16: fused in float32 first (ONNX Runtime").contains("com.microsoft.Attention=")
        .contains("kept float32: EmbedLayerNormalization=1, SkipLayerNormalization=")
        .contains("fp16: residual stream in float32");
    CliRun info = CliRun.of("info", "--model", half.toString(), "--max-seq-length", "16");
    assertThat(info.exitCode()).as(info.printed()).isZero();
    assertThat(info.out()).contains("precision:             fp16\n").contains("  fused_ops:")
        .contains("com.microsoft.EmbedLayerNormalization=1").contains("  graph_fusion:")
        .contains("  residual_stream:     float32");

    Path allHalf = tmp.resolve("tiny-bert-fp16-all-half");
    CliRun halfResidual = CliRun.of("convert", org.kluespark.testing.TorchFixtures.dir(
        org.kluespark.testing.TorchFixtures.TINY_BERT).toString(), "--output", allHalf.toString(), "--precision", "fp16",
        "--fp16-residual", "float16");
    assertThat(halfResidual.exitCode()).as(halfResidual.printed()).isZero();
    assertThat(halfResidual.out()).contains("kept float32: nothing (every sensitive op fused)")
        .contains("fp16: residual stream in float16");
  }
}
