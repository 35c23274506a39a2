package org.kluespark.precision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderFamily;
import org.kluespark.convert.EncoderWeights;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.reference.OnnxEncoderWeights;
import org.kluespark.testing.reference.ReferenceEncoder;
import org.kluespark.tokenize.TextTokenizer;
import org.kluespark.tokenize.TokenizedText;
import org.kluespark.testing.TestVectors;

/**
 * The built-in MiniLM (a torch.jit export: decomposed LayerNorm, its own mask arithmetic) converts to fp16,
 * and its mean-pooled sentence vectors stay close to float32 on real KLUE STS dev sentences (skipped when
 * {@code ../shared/klue}, or {@code -Dkluespark.klue.dir}, is absent). Also prints one ONNX Runtime CPU speed figure, fp16 vs fp32 graph.
 */
class Float16MiniLmTest {
  // all-MiniLM-L6-v2's published config.json
  private static final EncoderConfig MINILM =
      new EncoderConfig(EncoderFamily.BERT, 30522, 384, 6, 12, 1536, "gelu", 512, 2, 1e-12, 0);
  private static Path fp32Model;
  private static Path fp16Model;
  private static Map<String, String> summary;

  @BeforeAll
  static void convert(@TempDir Path dir) throws Exception {
    fp32Model = TestModels.minilmDir().resolve("model.onnx");
    Float16Converter.Result result = Float16Converter.convert(fp32Model);
    summary = result.summary();
    fp16Model = EncoderRuns.write(result.model(), dir.resolve("minilm-fp16/model.onnx"));
    System.out.println("minilm fp16 conversion: " + summary);
  }

  @Test
  void layerNormsAndGeluFuseAndTheUnfusedSoftmaxStaysFloat32() {
    // ONNX Runtime fuses the torch export's 13 written-out LayerNorms (the embeddings' and two per layer) and its
    // 6 GELUs, which then take half; its attention does not fuse (opset 14 Unsqueeze), so Softmax stays float32.
    assertThat(summary).containsEntry("float32_layer_norm_patterns", "0").containsEntry("precision", "fp16");
    assertThat(summary.get("fused_ops")).contains("LayerNormalization=13", "com.microsoft.BiasGelu=6");
    assertThat(summary.get("float32_ops")).contains("Softmax=6").doesNotContain("ReduceMean", "Sqrt");
  }

  @Test
  void klueSentenceVectorsStayCloseToFloat32() throws Exception {
    List<TokenizedText> texts = klueStsSentences();
    texts.sort(Comparator.comparingInt(TokenizedText::length));
    long start = System.nanoTime();
    float[][] fp32 = meanPooled(fp32Model, texts);
    double fp32Seconds = (System.nanoTime() - start) / 1e9;
    start = System.nanoTime();
    float[][] fp16 = meanPooled(fp16Model, texts);
    double fp16Seconds = (System.nanoTime() - start) / 1e9;

    double sum = 0;
    double min = 1;
    for (int i = 0; i < texts.size(); i++) {
      double cosine = TestVectors.cosine(fp32[i], fp16[i]);
      sum += cosine;
      min = Math.min(min, cosine);
    }
    double mean = sum / texts.size();
    System.out.printf("minilm fp16 vs fp32 on %d KLUE STS dev sentences: mean cosine %.6f, min %.6f%n",
        texts.size(), mean, min);
    System.out.printf("ONNX Runtime CPU, 1 session, batches of 32 sorted by length: fp32 %.1f s (%.0f sentences/s),"
        + " fp16 %.1f s (%.0f sentences/s), fp16/fp32 time %.2fx%n", fp32Seconds, texts.size() / fp32Seconds,
        fp16Seconds, texts.size() / fp16Seconds, fp16Seconds / fp32Seconds);
    assertThat(mean).isGreaterThanOrEqualTo(0.999);
    assertThat(min).isGreaterThanOrEqualTo(0.99);
  }

  /**
   * What half arithmetic itself would cost MiniLM (ONNX Runtime's CPU provider skips most intermediate
   * rounding): MiniLM's weights through the float64 reference and its simulated-half mode, one sentence at a
   * time (no padding), on the first 40 KLUE STS dev sentences. The simulation follows the converter's graph
   * (fused LayerNorm in float32, the same GELU nodes), which computes what MiniLM's export computes.
   */
  @Test
  void simulatedHalfStaysCloseToFloat64OnKlueSentences() throws Exception {
    List<TokenizedText> texts = klueStsSentences().subList(0, 40);
    EncoderWeights weights = EncoderWeights.of(MINILM, OnnxEncoderWeights.read(fp32Model), fp32Model.toString());
    double sum = 0;
    double min = 1;
    for (TokenizedText text : texts) {
      long[][] ids = {text.ids()};
      long[][] mask = {new long[text.length()]};
      java.util.Arrays.fill(mask[0], 1);
      long[][] types = {text.typeIds()};
      double cosine = TestVectors.cosine(meanOf(ReferenceEncoder.forward(weights, ids, mask, types).lastHiddenState()[0]),
          meanOf(ReferenceEncoder.forwardSimulatedHalf(weights, ids, mask, types).lastHiddenState()[0]));
      sum += cosine;
      min = Math.min(min, cosine);
    }
    System.out.printf("minilm simulated half vs float64 reference on %d KLUE STS dev sentences: mean cosine %.6f, "
        + "min %.6f%n", texts.size(), sum / texts.size(), min);
    assertThat(sum / texts.size()).isGreaterThanOrEqualTo(0.999);
    assertThat(min).isGreaterThanOrEqualTo(0.99);
  }

  /** The sentences of KLUE STS dev, tokenized for MiniLM; the test is skipped when the file is absent. */
  private static List<TokenizedText> klueStsSentences() throws IOException {
    String klueDir = System.getProperty("kluespark.klue.dir"); // as KlueDatasetsTest; default ../shared/klue
    Path sts = (klueDir != null ? Path.of(klueDir) : TestModels.sharedKlue()).resolve("klue-sts-v1.1_dev.json");
    assumeTrue(Files.isRegularFile(sts), "This test needs the KLUE dev sets in ../shared/klue (" + sts + ")");
    List<TokenizedText> texts = new ArrayList<>();
    try (TextTokenizer tokenizer =
        TextTokenizer.fromJson(Files.readAllBytes(TestModels.minilmDir().resolve("tokenizer.json")), 128)) {
      for (JsonNode record : new ObjectMapper().readTree(sts.toFile())) {
        texts.add(tokenizer.encode(record.get("sentence1").asText(), null));
        texts.add(tokenizer.encode(record.get("sentence2").asText(), null));
      }
    }
    return texts;
  }

  private static float[] meanOf(double[][] states) {
    float[] mean = new float[states[0].length];
    for (double[] state : states) {
      for (int h = 0; h < mean.length; h++) {
        mean[h] += (float) (state[h] / states.length);
      }
    }
    return mean;
  }

  /** Mean over real tokens of last_hidden_state, batches of 32 padded to their longest row. */
  private static float[][] meanPooled(Path model, List<TokenizedText> texts) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    float[][] vectors = new float[texts.size()][];
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      try (OrtSession session = env.createSession(model.toString(), options)) {
        for (int from = 0; from < texts.size(); from += 32) {
          List<TokenizedText> batch = texts.subList(from, Math.min(texts.size(), from + 32));
          int width = batch.stream().mapToInt(TokenizedText::length).max().orElseThrow();
          long[][] ids = new long[batch.size()][width];
          long[][] mask = new long[batch.size()][width];
          long[][] types = new long[batch.size()][width];
          for (int r = 0; r < batch.size(); r++) {
            for (int t = 0; t < batch.get(r).length(); t++) {
              ids[r][t] = batch.get(r).ids()[t];
              mask[r][t] = 1;
              types[r][t] = batch.get(r).typeIds()[t];
            }
          }
          try (OnnxTensor idTensor = OnnxTensor.createTensor(env, ids);
              OnnxTensor maskTensor = OnnxTensor.createTensor(env, mask);
              OnnxTensor typeTensor = OnnxTensor.createTensor(env, types);
              OrtSession.Result result = session.run(
                  Map.of("input_ids", idTensor, "attention_mask", maskTensor, "token_type_ids", typeTensor))) {
            float[][][] hidden = (float[][][]) result.get("last_hidden_state").orElseThrow().getValue();
            for (int r = 0; r < batch.size(); r++) {
              float[] mean = new float[hidden[r][0].length];
              int length = batch.get(r).length();
              for (int t = 0; t < length; t++) {
                for (int h = 0; h < mean.length; h++) {
                  mean[h] += hidden[r][t][h] / length;
                }
              }
              vectors[from + r] = mean;
            }
          }
        }
      }
    }
    return vectors;
  }

}
