package org.kluespark.testing.reference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kluespark.checkpoint.WeightTensor;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderFamily;
import org.kluespark.convert.EncoderWeights;
import org.kluespark.testing.TestModels;
import org.kluespark.tokenize.TextTokenizer;
import org.kluespark.tokenize.TokenizedText;

/**
 * Checks the reference encoder against ONNX Runtime on a real model: the weights of the built-in
 * MiniLM export (a torch.jit export of BertModel) run through both, on a ragged batch of English and
 * Korean texts and a pair.
 */
class MiniLmCrossCheckTest {
  // all-MiniLM-L6-v2's published config.json
  private static final EncoderConfig MINILM =
      new EncoderConfig(EncoderFamily.BERT, 30522, 384, 6, 12, 1536, "gelu", 512, 2, 1e-12, 0);
  private static final double TOLERANCE = 1e-4;

  private static Path model;
  private static Map<String, WeightTensor> tensors;
  private static long[][] inputIds;
  private static long[][] attentionMask;
  private static long[][] tokenTypeIds;

  @BeforeAll
  static void tokenize() throws IOException {
    model = TestModels.minilmDir().resolve("model.onnx");
    tensors = OnnxEncoderWeights.read(model);
    List<TokenizedText> texts = new ArrayList<>();
    try (TextTokenizer tokenizer =
        TextTokenizer.fromJson(Files.readAllBytes(TestModels.minilmDir().resolve("tokenizer.json")), 128)) {
      texts.add(tokenizer.encode("The quick brown fox jumps over the lazy dog.", null));
      texts.add(tokenizer.encode("한국어 문장도 임베딩합니다.", null));
      texts.add(tokenizer.encode("Is Spark fast?", "Spark runs the encoder on every executor."));
      texts.add(tokenizer.encode("hi", null));
    }
    int length = texts.stream().mapToInt(text -> text.ids().length).max().orElseThrow();
    inputIds = new long[texts.size()][length];
    attentionMask = new long[texts.size()][length];
    tokenTypeIds = new long[texts.size()][length];
    for (int row = 0; row < texts.size(); row++) {
      TokenizedText text = texts.get(row);
      for (int t = 0; t < text.ids().length; t++) {
        inputIds[row][t] = text.ids()[t];
        attentionMask[row][t] = 1;
        tokenTypeIds[row][t] = text.typeIds()[t];
      }
    }
  }

  @Test
  void everyLinearOfTheExportIsNamedByItsBias() {
    // 6 layers x (q, k, v, attention output, intermediate, output) are anonymous MatMul weights in the file.
    for (int layer = 0; layer < 6; layer++) {
      assertThat(tensors.get(EncoderWeights.layerName(layer, "attention.self.query.weight")).shape())
          .containsExactly(384, 384);
      assertThat(tensors.get(EncoderWeights.layerName(layer, "intermediate.dense.weight")).shape())
          .containsExactly(1536, 384);
      assertThat(tensors.get(EncoderWeights.layerName(layer, "output.dense.weight")).shape())
          .containsExactly(384, 1536);
    }
    assertThat(EncoderWeights.of(MINILM, tensors, model.toString()).hasPooler()).isTrue();
  }

  @Test
  void referenceMatchesOnnxRuntimeOnMiniLm() throws OrtException {
    ReferenceOutput reference = ReferenceEncoder.forward(EncoderWeights.of(MINILM, tensors, model.toString()),
        inputIds, attentionMask, tokenTypeIds);

    float[][][] ortHidden;
    float[][] ortPooler;
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        OrtSession session = env.createSession(model.toString(), options);
        OnnxTensor ids = OnnxTensor.createTensor(env, inputIds);
        OnnxTensor mask = OnnxTensor.createTensor(env, attentionMask);
        OnnxTensor types = OnnxTensor.createTensor(env, tokenTypeIds);
        OrtSession.Result result = session.run(
            Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types))) {
      ortHidden = (float[][][]) result.get("last_hidden_state").orElseThrow().getValue();
      ortPooler = (float[][]) result.get("pooler_output").orElseThrow().getValue();
    }

    double hiddenRealTokens = 0;
    double hiddenAll = 0;
    for (int row = 0; row < inputIds.length; row++) {
      for (int t = 0; t < inputIds[row].length; t++) {
        double diff = maxAbsDiff(reference.lastHiddenState()[row][t], ortHidden[row][t]);
        hiddenAll = Math.max(hiddenAll, diff);
        if (attentionMask[row][t] == 1) {
          hiddenRealTokens = Math.max(hiddenRealTokens, diff);
        }
      }
    }
    double pooler = 0;
    for (int row = 0; row < inputIds.length; row++) {
      pooler = Math.max(pooler, maxAbsDiff(reference.pooler()[row], ortPooler[row]));
    }
    System.out.printf("MiniLM reference vs ONNX Runtime, batch %d x %d: last_hidden_state max-abs %.3e on real "
            + "tokens, %.3e including padding; pooler_output max-abs %.3e%n", inputIds.length, inputIds[0].length,
        hiddenRealTokens, hiddenAll, pooler);

    assertThat(hiddenAll).isLessThanOrEqualTo(TOLERANCE);
    assertThat(pooler).isLessThanOrEqualTo(TOLERANCE);
  }

  private static double maxAbsDiff(double[] expected, float[] actual) {
    assertThat(actual).hasSameSizeAs(expected);
    double max = 0;
    for (int i = 0; i < expected.length; i++) {
      max = Math.max(max, Math.abs(expected[i] - actual[i]));
    }
    return max;
  }
}
