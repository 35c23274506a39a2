package org.kluespark.precision;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kluespark.convert.CheckpointConverter;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderFamily;
import org.kluespark.convert.ExportOptions;
import org.kluespark.synth.SyntheticCheckpoint;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestVectors;

/**
 * Int8Quantizer on real bundle graphs: the built-in MiniLM (a torch.jit export: MatMul weights, a Gemm pooler)
 * and converted BERT / RoBERTa graphs (float32 and float16-stored weights). Each quantized graph keeps its
 * inputs and outputs and its mean-pooled vectors stay close to float32.
 */
class Int8BundleGraphsTest {
  private static final List<String> TEXTS = List.of("The weather is lovely today.",
      "A man is playing a guitar on the street while people walk by.", "int8 keeps most of the accuracy");

  @TempDir Path tmp;

  @Test
  void minilmKeepsThePoolerAndTheOutlierChannelsFloat32() throws Exception {
    Path dir = TestModels.minilmDir();
    ModelProto fp32 = OnnxModelReader.read(dir.resolve("model.onnx"));
    QuantizedModel q = Int8Quantizer.quantize(fp32, Int8Options.defaults());

    Map<String, Integer> ops = Int8QuantizerTest.opCounts(q.model());
    String channels = q.summary().get("float32_input_channels");
    int split = channels.split("; ").length;
    // 12 attention activation x activation MatMuls, and one float32 MatMul of the outlier channels beside each
    // int8 MatMul that has some
    assertThat(ops).containsEntry("DynamicQuantizeMatMul", 36).containsEntry("MatMul", 12 + split)
        .containsEntry("Gemm", 1);
    assertThat(q.summary()).containsEntry("quantized_matmuls", "36").containsEntry("float32_matmuls", "1")
        .containsEntry("float32_reasons", "/pooler/dense/Gemm: pooler (its product feeds Tanh)")
        .containsEntry("activation_probe", "8 x 64 random tokens, seed 42");
    // the weight rule's FFN outputs of layers 0-2 (channel 856 of layer 0's GELU output is in both rules)
    assertThat(channels).contains("/encoder/layer.0/output/dense/MatMul: [", "/encoder/layer.1/output/dense/MatMul",
        "/encoder/layer.2/output/dense/MatMul");
    assertThat(channels).containsPattern("/encoder/layer\\.0/output/dense/MatMul: \\[[0-9, ]*856");
    // MiniLM's residual-stream outlier, channel 99 (28 where the median channel peaks at 1.7 on KLUE text), found
    // by the probe in every FFN input and scaled down there
    String scaled = q.summary().get("scaled_input_channels");
    for (int layer = 0; layer < 6; layer++) {
      assertThat(scaled).containsPattern("/encoder/layer\\." + layer + "/intermediate/dense/MatMul: \\[[^]]*\\b99 /");
    }
    assertThat(q.model().getGraph().getOutputList()).isEqualTo(fp32.getGraph().getOutputList());
    assertThat(q.model().getGraph().getInputList()).isEqualTo(fp32.getGraph().getInputList());
    // the float32 word embeddings (47 MB) dominate; the MatMul weights shrink 4x
    assertThat(q.model().getSerializedSize()).isLessThan(fp32.getSerializedSize() * 3 / 4);

    try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"))) {
      for (String text : TEXTS) {
        long[] ids = tokenizer.encode(text).getIds();
        assertThat(TestVectors.cosine(meanPooled(q.model(), ids), meanPooled(fp32, ids))).as(text).isGreaterThan(0.98);
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"BERT, false", "BERT, true", "ROBERTA, false", "ROBERTA, true"})
  void convertedGraphsQuantizeAndStayClose(EncoderFamily family, boolean halfWeights) throws Exception {
    EncoderConfig config = family == EncoderFamily.BERT
        ? new EncoderConfig(EncoderFamily.BERT, 3000, 64, 2, 4, 128, "gelu", 64, 2, 1e-12, 0)
        : new EncoderConfig(EncoderFamily.ROBERTA, 3000, 64, 2, 4, 128, "gelu", 66, 1, 1e-5, 1);
    Path checkpoint = tmp.resolve("checkpoint");
    SyntheticCheckpoint.write(config, false,
        SyntheticCheckpoint.corpusLines(List.of(TestModels.repoRoot().resolve("datasets"))), 3, checkpoint);
    Path bundle = tmp.resolve("bundle");
    CheckpointConverter.convert(checkpoint, bundle, ExportOptions.defaults().withHalfWeights(halfWeights), line -> { });
    ModelProto fp32 = OnnxModelReader.read(bundle.resolve("model.onnx"));

    QuantizedModel q = Int8Quantizer.quantize(fp32, Int8Options.defaults());

    // 6 per layer (Q, K, V, attention output, FFN in, FFN out); the pooler stays float32
    assertThat(Int8QuantizerTest.opCounts(q.model())).containsEntry("DynamicQuantizeMatMul", 12)
        .containsEntry("MatMul", 2 * 2 + 1);
    assertThat(q.summary().get("float32_reasons")).startsWith("pooler/dense/matmul").contains("pooler");
    assertThat(q.model().getGraph().getOutputList()).isEqualTo(fp32.getGraph().getOutputList());
    long[] ids = family == EncoderFamily.BERT ? new long[] {2, 40, 41, 42, 43, 44, 3} : new long[] {0, 40, 41, 42, 43, 44, 2};
    assertThat(TestVectors.cosine(meanPooled(q.model(), ids), meanPooled(fp32, ids))).isGreaterThan(0.99);
  }

  /** last_hidden_state of one unpadded sequence, averaged over its tokens. */
  static float[] meanPooled(ModelProto model, long[] ids) throws Exception {
    long[] ones = new long[ids.length];
    java.util.Arrays.fill(ones, 1L);
    return meanPooled(model, new long[][] {ids}, new long[][] {ones})[0];
  }

  /** last_hidden_state of a padded batch, averaged over each row's real tokens (mask 1). */
  static float[][] meanPooled(ModelProto model, long[][] ids, long[][] mask) throws Exception {
    int rows = ids.length;
    int length = ids[0].length;
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      try (OrtSession session = env.createSession(model.toByteArray(), options);
          OnnxTensor idTensor = OnnxTensor.createTensor(env, ids);
          OnnxTensor maskTensor = OnnxTensor.createTensor(env, mask);
          OnnxTensor typeTensor = OnnxTensor.createTensor(env, new long[rows][length])) {
        Map<String, OnnxTensor> inputs = new HashMap<>();
        inputs.put("input_ids", idTensor);
        inputs.put("attention_mask", maskTensor);
        if (session.getInputNames().contains("token_type_ids")) {
          inputs.put("token_type_ids", typeTensor);
        }
        try (OrtSession.Result result = session.run(inputs, java.util.Set.of("last_hidden_state"))) {
          OnnxTensor hidden = (OnnxTensor) result.get(0);
          int width = (int) hidden.getInfo().getShape()[2];
          FloatBuffer values = hidden.getFloatBuffer();
          float[][] pooled = new float[rows][width];
          for (int r = 0; r < rows; r++) {
            long real = java.util.Arrays.stream(mask[r]).sum();
            for (int t = 0; t < length; t++) {
              for (int d = 0; mask[r][t] == 1 && d < width; d++) {
                pooled[r][d] += values.get((r * length + t) * width + d) / real;
              }
            }
          }
          return pooled;
        }
      }
    }
  }

}
