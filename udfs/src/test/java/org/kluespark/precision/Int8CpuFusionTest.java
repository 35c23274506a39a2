package org.kluespark.precision;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnx.proto.OnnxMl.ModelProto;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kluespark.model.GraphPrecision;
import org.kluespark.model.Precision;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestVectors;

/**
 * The int8 bundle's graph is fused for the CPU provider that runs it: ONNX Runtime's own fusions, then the
 * residual Add + LayerNormalization pairs it leaves on torch exports written as SkipLayerNormalization.
 */
class Int8CpuFusionTest {
  private static final List<String> TEXTS = List.of("The weather is lovely today.",
      "서울의 날씨는 오늘 맑고 따뜻합니다.", "A man is playing a guitar on the street while people walk by.");

  @Test
  void residualLayerNormsOfMiniLmBecomeSkipLayerNormalizationAndComputeTheSame() throws Exception {
    Path dir = TestModels.minilmDir();
    ModelProto fp32 = OnnxModelReader.read(dir.resolve("model.onnx"));
    ModelProto ortFused = OrtFusion.fuseForCpu(fp32, "minilm");
    int[] count = {0};
    ModelProto fused = SkipLayerNormFusion.apply(ortFused, count);

    // ONNX Runtime fuses MiniLM's 13 layer norms but none of their residual Adds; 12 are residual (2 per layer),
    // the embeddings' sum is not
    assertThat(Int8QuantizerTest.opCounts(ortFused)).containsEntry("LayerNormalization", 13)
        .doesNotContainKey("SkipLayerNormalization");
    assertThat(count[0]).isEqualTo(12);
    assertThat(Int8QuantizerTest.opCounts(fused)).containsEntry("SkipLayerNormalization", 12)
        .containsEntry("LayerNormalization", 1);
    assertThat(fused.getGraph().getInputList()).isEqualTo(fp32.getGraph().getInputList());
    assertThat(fused.getGraph().getOutputList()).isEqualTo(fp32.getGraph().getOutputList());
    try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"))) {
      for (String text : TEXTS) {
        long[] ids = tokenizer.encode(text).getIds();
        float[] expected = Int8BundleGraphsTest.meanPooled(fp32, ids);
        float[] actual = Int8BundleGraphsTest.meanPooled(fused, ids);
        assertThat(TestVectors.maxAbs(new float[][][] {{expected}}, new float[][][] {{actual}})).as(text)
            .isLessThanOrEqualTo(1e-5);
      }
    }
  }

  @Test
  void theInt8BundleGraphIsQuantizedThenFusedAndSaysSo() throws Exception {
    ModelProto fp32 = OnnxModelReader.read(TestModels.minilmDir().resolve("model.onnx"));
    PrecisionConversion.Result int8 = PrecisionConversion.convert(fp32, new PrecisionOptions(Precision.INT8, false),
        "minilm");

    Map<String, Integer> ops = Int8QuantizerTest.opCounts(int8.model());
    assertThat(ops).containsEntry("DynamicQuantizeMatMul", 36).containsEntry("SkipLayerNormalization", 12)
        .containsEntry("LayerNormalization", 1).doesNotContainKeys("ReduceMean", "Pow", "Sqrt");
    assertThat(GraphPrecision.of(int8.model())).isEqualTo(Precision.INT8);
    assertThat(int8.parameters().get("graph_fusion")).contains("EXTENDED (CPU)")
        .contains("12 residual Add + LayerNormalization written as SkipLayerNormalization");
    assertThat(int8.parameters().get("fused_ops")).contains("DynamicQuantizeMatMul=36", "SkipLayerNormalization=12");
    assertThat(int8.summary()).anyMatch(line -> line.startsWith("fused for the CPU: "));
    assertThat(int8.model().getGraph().getOutputList()).isEqualTo(fp32.getGraph().getOutputList());
  }
}
