package org.kluespark.precision;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kluespark.checkpoint.WeightTensor;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderFamily;
import org.kluespark.convert.EncoderGraphWriter;
import org.kluespark.convert.EncoderWeights;
import org.kluespark.convert.ExportOptions;
import org.kluespark.model.Precision;
import org.kluespark.synth.SyntheticWeights;
import org.kluespark.testing.TestVectors;

/**
 * The int8 graph of a converter BERT / RoBERTa is fused in float32 first, so it carries ONNX Runtime's fused ops,
 * with each Attention written as DynamicQuantizeLinear + QAttention ({@link AttentionQuantizer}); its vectors stay
 * as close to float32 as the quantize-first path's, on ragged (padded) batches of random tokens.
 */
class Int8AttentionTest {
  private static final int LAYERS = 2;
  private static final EncoderConfig BERT =
      new EncoderConfig(EncoderFamily.BERT, 200, 64, LAYERS, 4, 128, "gelu", 40, 2, 1e-12, 0);
  private static final EncoderConfig ROBERTA =
      new EncoderConfig(EncoderFamily.ROBERTA, 200, 64, LAYERS, 4, 128, "gelu", 42, 1, 1e-5, 1);

  @ParameterizedTest
  @EnumSource(value = EncoderFamily.class, names = {"BERT", "ROBERTA"})
  void convertedGraphsCarryQAttentionAndStayClose(EncoderFamily family) throws Exception {
    EncoderConfig config = family == EncoderFamily.BERT ? BERT : ROBERTA;
    ModelProto fp32 = graph(config, Map.of());
    PrecisionConversion.Result int8 = PrecisionConversion.convert(fp32, new PrecisionOptions(Precision.INT8, false),
        "synthetic");

    Map<String, Integer> ops = Int8QuantizerTest.opCounts(int8.model());
    // per layer: Q/K/V in one QAttention, the attention output and the two FFN projections DynamicQuantizeMatMul
    // (the FFN input's bias folded in from BiasGelu, the others' in SkipLayerNormalization), the pooler one float32
    // FusedGemm
    assertThat(ops).containsEntry("QAttention", LAYERS).containsEntry("DynamicQuantizeLinear", LAYERS)
        .containsEntry("DynamicQuantizeMatMul", 3 * LAYERS).containsEntry("SkipLayerNormalization", 2 * LAYERS)
        .containsEntry("Gelu", LAYERS).containsEntry("FusedGemm", 1)
        .doesNotContainKeys("Attention", "BiasGelu", "MatMul", "Softmax", "Erf");
    if (family == EncoderFamily.BERT) {
      assertThat(ops).containsEntry("EmbedLayerNormalization", 1).doesNotContainKey("LayerNormalization");
    }
    assertThat(int8.parameters()).containsEntry("quantized_attentions", LAYERS + " of " + LAYERS)
        .containsEntry("quantized_matmuls", Integer.toString(3 * LAYERS)).containsEntry("float32_matmuls", "1");
    assertThat(int8.parameters().get("float32_reasons")).contains("pooler (FusedGemm");
    assertThat(int8.parameters().get("fused_ops")).contains("QAttention=" + LAYERS);
    assertThat(int8.parameters().get("graph_fusion")).contains("on the float32 graph")
        .contains(LAYERS + " of " + LAYERS + " Attention written as DynamicQuantizeLinear + QAttention");
    assertThat(int8.summary()).anyMatch(line -> line.startsWith("int8 attention: " + LAYERS + " of " + LAYERS));
    assertThat(int8.model().getGraph().getInputList()).isEqualTo(fp32.getGraph().getInputList());
    assertThat(int8.model().getGraph().getOutputList()).isEqualTo(fp32.getGraph().getOutputList());
    // per output column: one weight scale per column of the packed [H, 3H] weight
    assertThat(weightScale(int8.model()).getDimsList()).containsExactly((long) 3 * config.hiddenSize());

    float[][] expected = meanPooled(fp32, config);
    float[][] fused = meanPooled(int8.model(), config);
    float[][] previous = meanPooled(Int8Conversion.quantizeFirst(fp32, Int8Options.defaults(), "synthetic").model(),
        config);
    // measured: 0.9997-0.9999 to float32 for both paths, and the two int8 graphs agree to 1e-5 (one input scale
    // per call for Q, K and V either way; per-column weight scales either way)
    for (int row = 0; row < expected.length; row++) {
      System.out.printf("%s row %d cosine to fp32: QAttention %.5f, quantize-first %.5f, between %.5f%n", family, row,
          TestVectors.cosine(fused[row], expected[row]), TestVectors.cosine(previous[row], expected[row]),
          TestVectors.cosine(fused[row], previous[row]));
      assertThat(TestVectors.cosine(fused[row], expected[row])).as("row " + row).isGreaterThan(0.999);
      assertThat(TestVectors.cosine(fused[row], previous[row])).as("row " + row).isGreaterThan(0.9999);
    }
  }

  @Test
  void perTensorAndKeepFloatPatternsApplyToTheAttention() {
    ModelProto fp32 = graph(BERT, Map.of());
    ModelProto perTensor = PrecisionConversion.convert(fp32, new PrecisionOptions(Precision.INT8, true), "synthetic")
        .model();
    assertThat(weightScale(perTensor).getDimsCount()).isZero();

    // a pattern naming layer 0's unfused query MatMul keeps its whole Attention float32; one naming an FFN
    // MatMul keeps that MatMul float32
    PrecisionConversion.Result kept = Int8Conversion.convert(fp32,
        Int8Options.defaults().withKeepFloat(List.of("layer0/query", "layer1/intermediate")), "synthetic");
    assertThat(Int8QuantizerTest.opCounts(kept.model())).containsEntry("QAttention", LAYERS - 1)
        .containsEntry("Attention", 1).containsEntry("DynamicQuantizeMatMul", 3 * LAYERS - 1)
        .containsEntry("MatMul", 1);
    assertThat(kept.parameters()).containsEntry("quantized_attentions", (LAYERS - 1) + " of " + LAYERS)
        .containsEntry("float32_matmuls", "2");
    assertThat(kept.parameters().get("float32_reasons")).contains("layer1/intermediate/matmul/MatMul: matches")
        .contains("Attention: matches keep-float32 pattern 'layer0/query'");
    assertThat(kept.summary()).anyMatch(line -> line.startsWith("float32 Attention ")
        && line.contains("keep-float32 pattern 'layer0/query' (layer0/query/matmul/MatMul)"));
  }

  @Test
  void anOutlierChannelOfTheAttentionInputIsScaledInFrontOfQAttention() throws Exception {
    // channel 3 of the embeddings' LayerNorm 30x the others: layer 0's attention input has an outlier channel
    Map<String, WeightTensor> weights = new HashMap<>(SyntheticWeights.generate(BERT, 5, true, 0.2));
    WeightTensor gamma = weights.get("embeddings.LayerNorm.weight");
    float[] values = gamma.values().clone();
    values[3] *= 30;
    weights.put(gamma.name(), new WeightTensor(gamma.name(), gamma.shape(), values));
    ModelProto fp32 = graph(BERT, weights);

    PrecisionConversion.Result int8 = PrecisionConversion.convert(fp32, new PrecisionOptions(Precision.INT8, false),
        "synthetic");

    Map<String, NodeProto> producers = new HashMap<>();
    int8.model().getGraph().getNodeList().forEach(node -> node.getOutputList().forEach(o -> producers.put(o, node)));
    List<NodeProto> attentions = int8.model().getGraph().getNodeList().stream()
        .filter(node -> node.getOpType().equals("QAttention")).toList();
    assertThat(attentions).hasSize(LAYERS);
    NodeProto quantize = producers.get(attentions.get(0).getInput(0));
    NodeProto scale = producers.get(quantize.getInput(0));
    assertThat(quantize.getOpType()).isEqualTo("DynamicQuantizeLinear");
    assertThat(scale.getOpType()).isEqualTo("Mul");
    assertThat(producers.get(scale.getInput(0)).getOpType()).isEqualTo("EmbedLayerNormalization");
    // layer 1 reads a LayerNorm output without outliers: no Mul
    assertThat(producers.get(producers.get(attentions.get(1).getInput(0)).getInput(0)).getOpType())
        .isEqualTo("SkipLayerNormalization");
    assertThat(int8.summary()).anyMatch(line -> line.contains("as QAttention, input channels scaled down [3 /"));

    float[][] expected = meanPooled(fp32, BERT);
    float[][] actual = meanPooled(int8.model(), BERT);
    // measured: 0.9994-0.9999
    for (int row = 0; row < expected.length; row++) {
      System.out.printf("outlier BERT row %d cosine to fp32 %.5f%n", row,
          TestVectors.cosine(actual[row], expected[row]));
      assertThat(TestVectors.cosine(actual[row], expected[row])).as("row " + row).isGreaterThan(0.999);
    }
  }

  private static ModelProto graph(EncoderConfig config, Map<String, WeightTensor> weights) {
    Map<String, WeightTensor> all = weights.isEmpty() ? SyntheticWeights.generate(config, 5, true, 0.2) : weights;
    return EncoderGraphWriter.write(EncoderWeights.of(config, all, "random"), ExportOptions.defaults(), Map.of());
  }

  /** The weight scale (input 4) of the first QAttention. */
  private static TensorProto weightScale(ModelProto model) {
    String name = model.getGraph().getNodeList().stream().filter(node -> node.getOpType().equals("QAttention"))
        .findFirst().orElseThrow().getInput(4);
    return model.getGraph().getInitializerList().stream().filter(t -> t.getName().equals(name)).findFirst()
        .orElseThrow();
  }

  /** last_hidden_state of a ragged batch of random tokens (rows 1-3 padded), averaged over each row's tokens. */
  static float[][] meanPooled(ModelProto model, EncoderConfig config) throws Exception {
    int rows = 4;
    int length = 16;
    int[] lengths = {16, 11, 5, 2};
    long[][] ids = new long[rows][length];
    long[][] mask = new long[rows][length];
    Random random = new Random(7);
    for (int r = 0; r < rows; r++) {
      for (int t = 0; t < length; t++) {
        ids[r][t] = t < lengths[r] ? 5 + random.nextInt(config.vocabSize() - 5) : config.padTokenId();
        mask[r][t] = t < lengths[r] ? 1 : 0;
      }
    }
    return Int8BundleGraphsTest.meanPooled(model, ids, mask);
  }
}
