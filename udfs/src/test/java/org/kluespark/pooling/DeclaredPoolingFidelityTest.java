package org.kluespark.pooling;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kluespark.checkpoint.CheckpointReader;
import org.kluespark.checkpoint.SafetensorsReader;
import org.kluespark.checkpoint.WeightTensor;
import org.kluespark.convert.CheckpointConverter;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderFamily;
import org.kluespark.convert.EncoderWeights;
import org.kluespark.convert.ExportOptions;
import org.kluespark.embed.Embedding;
import org.kluespark.embed.EmbeddingSettings;
import org.kluespark.embed.TextInput;
import org.kluespark.embed.WindowEmbedder;
import org.kluespark.inference.EncoderSession;
import org.kluespark.inference.ExecutionTarget;
import org.kluespark.inference.OrtSessionFactory;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelBundleLoader;
import org.kluespark.model.ModelInspector;
import org.kluespark.model.ModelSignature;
import org.kluespark.synth.SentenceModules;
import org.kluespark.synth.SyntheticCheckpoint;
import org.kluespark.testing.reference.ReferenceEncoder;
import org.kluespark.testing.reference.ReferencePooling;
import org.kluespark.tokenize.TextTokenizer;
import org.kluespark.tokenize.TokenizedText;

/**
 * A tiny sentence-transformers checkpoint (hidden 32, 2 layers) converted with each declared pooling mode, then
 * a Dense layer (tanh, 32 → 24) and Normalize: the vectors {@code pooling=auto} gives through the stage's own
 * path (kluespark.json → {@link PoolingRule} → {@link WindowEmbedder} on ONNX Runtime) against the float64
 * reference encoder followed by {@link ReferencePooling}, on rows of different lengths so padding is present.
 */
class DeclaredPoolingFidelityTest {
  static final double TOLERANCE = 1e-4;
  static final EncoderConfig TINY = new EncoderConfig(EncoderFamily.BERT, 300, 32, 2, 4, 64, "gelu", 64, 2, 1e-12, 0);
  static final List<String> CORPUS = List.of("한국어 문장을 임베딩합니다.", "서울은 대한민국의 수도이다.",
      "오늘 날씨가 정말 좋네요!", "기계 학습 모델은 문장을 벡터로 바꾼다.", "the quick brown fox jumps over the lazy dog");
  static final List<String> TEXTS = List.of("오늘 날씨가 좋네요", "서울은 대한민국의 수도이고 한국어 문장을 임베딩합니다.",
      "fox", "기계 학습 모델");

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(value = Pooling.class, names = {"CLS", "MEAN", "MAX", "MEAN_SQRT_LEN_TOKENS", "WEIGHTEDMEAN", "LASTTOKEN"})
  void autoGivesTheDeclaredPipelineWithinTheToleranceOfTheFloat64Reference(Pooling mode) throws Exception {
    SentenceModules modules = SentenceModules.of(mode, true).withDense(24, DenseLayer.Activation.TANH);
    Path checkpoint = dir.resolve("checkpoint");
    SyntheticCheckpoint.write(TINY, false, CORPUS, 3, checkpoint, modules);
    Path bundleDir = dir.resolve("bundle");
    CheckpointConverter.Result converted = CheckpointConverter.convert(checkpoint, bundleDir, ExportOptions.defaults(),
        line -> { });
    assertThat(converted.declaration().pooling()).isEqualTo(mode);
    assertThat(converted.autoPooling()).startsWith(mode.paramValue() + ", then Dense 32 -> 24, tanh, bias, then L2");

    ModelBundle bundle = ModelBundleLoader.load(bundleDir.toUri().toString(), new Configuration());
    ModelSignature signature = ModelInspector.inspect(bundle, 64);
    PoolingRule.Resolved resolved = PoolingRule.resolve("auto", null, bundle.declaration().orElseThrow(),
        bundle.dense(), signature.hasPooler(), bundle.location());
    EmbeddingSettings settings = new EmbeddingSettings(64, 8, 64, resolved.pooling(), resolved.normalize(), false)
        .withDense(resolved.dense());
    List<TextInput> inputs = TEXTS.stream().map(TextInput::of).toList();
    List<Embedding> got;
    List<TokenizedText> tokens = new ArrayList<>();
    try (EncoderSession session = new EncoderSession(OrtSessionFactory.create(bundle, ExecutionTarget.CPU, 1),
            signature, ExecutionTarget.CPU);
        TextTokenizer tokenizer = TextTokenizer.fromJson(bundle.tokenizerBytes(), 64)) {
      got = new WindowEmbedder(tokenizer, session, settings).embed(inputs);
      for (String text : TEXTS) {
        tokens.add(tokenizer.encode(text, null));
      }
    }

    double[][] expected = reference(checkpoint, tokens, mode);
    double maxAbs = 0;
    for (int row = 0; row < TEXTS.size(); row++) {
      float[] pooled = got.get(row).pooled();
      assertThat(pooled).hasSize(24);
      for (int d = 0; d < pooled.length; d++) {
        maxAbs = Math.max(maxAbs, Math.abs(pooled[d] - expected[row][d]));
      }
    }
    System.out.printf("declared %s + Dense(tanh) + Normalize: max-abs %.2e vs float64 reference%n", mode, maxAbs);
    assertThat(maxAbs).isLessThanOrEqualTo(TOLERANCE);
  }

  /** The reference forward pass on the right-padded batch, then the sentence-transformers modules in float64. */
  private static double[][] reference(Path checkpoint, List<TokenizedText> tokens, Pooling mode) {
    int width = tokens.stream().mapToInt(TokenizedText::length).max().orElseThrow();
    long[][] ids = new long[tokens.size()][width];
    long[][] mask = new long[tokens.size()][width];
    long[][] types = new long[tokens.size()][width];
    for (int row = 0; row < tokens.size(); row++) {
      for (int t = 0; t < tokens.get(row).length(); t++) {
        ids[row][t] = tokens.get(row).ids()[t];
        mask[row][t] = 1;
      }
    }
    assertThat(tokens.stream().mapToInt(TokenizedText::length).min().orElseThrow()).as("some rows are padded")
        .isLessThan(width);
    EncoderWeights weights = EncoderWeights.of(TINY, CheckpointReader.read(checkpoint), checkpoint.toString());
    double[][][] hidden = ReferenceEncoder.forward(weights, ids, mask, types).lastHiddenState();
    Map<String, WeightTensor> dense = SafetensorsReader.read(checkpoint.resolve("2_Dense/model.safetensors"));
    float[] flat = dense.get("linear.weight").values();
    float[][] weight = new float[24][32];
    for (int o = 0; o < 24; o++) {
      System.arraycopy(flat, o * 32, weight[o], 0, 32);
    }
    double[][] out = new double[tokens.size()][];
    for (int row = 0; row < tokens.size(); row++) {
      double[] pooled = ReferencePooling.pool(mode, hidden[row], mask[row]);
      out[row] = ReferencePooling.normalize(ReferencePooling.dense(pooled, weight, dense.get("linear.bias").values(),
          DenseLayer.Activation.TANH));
    }
    return out;
  }
}
