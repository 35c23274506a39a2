package org.kluespark.precision;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kluespark.checkpoint.WeightTensor;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderFamily;
import org.kluespark.convert.EncoderGraphWriter;
import org.kluespark.convert.EncoderWeights;
import org.kluespark.convert.ExportOptions;
import org.kluespark.synth.SyntheticWeights;

/**
 * The activation probe finds an input channel that runs far above the others, the quantizer multiplies it in
 * float32 beside the int8 part, and models it cannot probe are still quantized (without it) with a report line.
 */
class ActivationOutlierProbeTest {
  /** 2 layers, hidden 32, positions 20: the probe's 64 tokens do not fit, so it must shorten its sequence. */
  private static final EncoderConfig BERT = new EncoderConfig(EncoderFamily.BERT, 60, 32, 2, 4, 64, "gelu", 20, 2,
      1e-12, 0);
  private static final int OUTLIER = 7;

  @Test
  void findsTheChannelThatRunsFarAboveTheOthersAndKeepsItFloat32() {
    ModelProto model = encoderWithOutlierChannel(20f);
    List<String> report = new ArrayList<>();
    String embeddingsOutput = layerZeroQueryInput(model);

    Map<String, ActivationOutlierProbe.Outliers> found = ActivationOutlierProbe.find(model, List.of(embeddingsOutput), 4.0, report);

    assertThat(report).isEmpty();
    assertThat(found.get(embeddingsOutput).channels()).containsExactly(OUTLIER);
    assertThat(found.get(embeddingsOutput).excess()[0]).isGreaterThan(4f);
    QuantizedModel q = Int8Quantizer.quantize(model, Int8Options.defaults().withScaleOutlierChannels(false));
    // Q, K and V of layer 0 read the embeddings' layer norm output: the channel is float32 in all three
    assertThat(q.summary().get("float32_input_channels"))
        .contains("layer0/query/matmul/MatMul: [" + OUTLIER + "]", "layer0/key/matmul/MatMul: [" + OUTLIER + "]",
            "layer0/value/matmul/MatMul: [" + OUTLIER + "]");
    // one masked copy and one gather of the channel serve the three of them
    assertThat(Int8QuantizerTest.opCounts(q.model()).get("Gather")).isEqualTo(
        Int8QuantizerTest.opCounts(model).get("Gather") + distinctActivations(q));
  }

  /** Models over 2 GB (XLM-RoBERTa-large and up) cannot go to ONNX Runtime as bytes: they go through a file. */
  @Test
  void aModelTooLargeForMemoryIsProbedFromAScratchFileWithTheSameResult() {
    ModelProto model = encoderWithOutlierChannel(20f);
    String activation = layerZeroQueryInput(model);
    List<String> report = new ArrayList<>();
    Map<String, ActivationOutlierProbe.Outliers> inMemory =
        ActivationOutlierProbe.find(model, List.of(activation), 4.0, report);
    Map<String, ActivationOutlierProbe.Outliers> fromFile =
        ActivationOutlierProbe.find(model, List.of(activation), 4.0, report, 0);

    assertThat(report).isEmpty();
    assertThat(fromFile.get(activation).channels()).containsExactly(OUTLIER);
    assertThat(fromFile.get(activation).excess()).containsExactly(inMemory.get(activation).excess());
  }

  @Test
  void byDefaultTheChannelIsScaledDownToTheRatiosLevelAndItsWeightRowUp() throws Exception {
    ModelProto model = encoderWithOutlierChannel(20f);
    QuantizedModel q = Int8Quantizer.quantize(model, Int8Options.defaults());
    assertThat(q.summary()).containsEntry("outlier_channels", "scaled").containsEntry("float32_input_channels", "");
    assertThat(q.summary().get("scaled_input_channels"))
        .contains("layer0/query/matmul/MatMul: [" + OUTLIER + " /", "layer0/value/matmul/MatMul: [" + OUTLIER + " /");
    // no float32 side product: one Mul on the shared activation, no Gather added
    assertThat(Int8QuantizerTest.opCounts(q.model()).get("Gather")).isEqualTo(
        Int8QuantizerTest.opCounts(model).get("Gather"));
    // the scaling is exact algebra: only the int8 rounding moves, and the vectors stay close to float32
    long[] ids = {2, 11, 12, 13, 14, 3};
    assertThat(org.kluespark.testing.TestVectors.cosine(Int8BundleGraphsTest.meanPooled(q.model(), ids),
        Int8BundleGraphsTest.meanPooled(model, ids))).isGreaterThan(0.99);
  }

  @Test
  void aModelWithoutOutliersKeepsEveryChannelInt8AndRatioZeroTurnsTheProbeOff() {
    ModelProto model = encoderWithOutlierChannel(1f);
    assertThat(ActivationOutlierProbe.find(model, List.of(layerZeroQueryInput(model)), 4.0, new ArrayList<>()))
        .isEmpty();
    QuantizedModel off = Int8Quantizer.quantize(encoderWithOutlierChannel(20f),
        Int8Options.defaults().withActivationOutlierRatio(0));
    assertThat(off.summary()).containsEntry("activation_probe", "off").containsEntry("float32_input_channels", "")
        .containsEntry("scaled_input_channels", "");
  }

  @Test
  void aModelItCannotProbeIsQuantizedWithoutTheProbeAndSaysSo() throws Exception {
    // TinyGraphs' model takes a float input: no token ids to draw from an embedding table
    QuantizedModel q = Int8Quantizer.quantize(TinyGraphs.twoLayer(3, false, 1f), Int8Options.defaults());
    assertThat(q.report()).anyMatch(line -> line.startsWith("activation probe skipped: no graph input indexes an embedding table"));
    assertThat(q.summary()).containsEntry("quantized_matmuls", "2");
  }

  @Test
  void anActivationWhoseMedianChannelIsZeroHasNoOutliers() throws Exception {
    ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
    // a ReLU output: most channels never fire, so peak / median would be infinite
    float[] relu = {0, 0, 0, 0, 0, 0.5f, 0.4f, 9f};
    float[] gelu = {0.5f, 0.4f, 0.6f, 0.5f, 0.45f, 0.55f, 0.5f, 9f};
    try (ai.onnxruntime.OnnxTensor dead = ai.onnxruntime.OnnxTensor.createTensor(env,
            java.nio.FloatBuffer.wrap(relu), new long[] {1, 1, 8});
        ai.onnxruntime.OnnxTensor live = ai.onnxruntime.OnnxTensor.createTensor(env,
            java.nio.FloatBuffer.wrap(gelu), new long[] {1, 1, 8})) {
      assertThat(ActivationOutlierProbe.outlierChannels(dead, 4.0).channels()).isEmpty();
      ActivationOutlierProbe.Outliers found = ActivationOutlierProbe.outlierChannels(live, 4.0);
      assertThat(found.channels()).containsExactly(7);
      assertThat(found.excess()[0]).isEqualTo(9f / 0.5f);
    }
  }

  @Test
  void invalidRatioNamesTheValue() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Int8Options.defaults().withActivationOutlierRatio(-1))
        .hasMessageContaining("activation outlier ratio").hasMessageContaining("-1");
  }

  /** A tiny converted BERT whose embeddings LayerNorm scales channel OUTLIER by {@code gain}. */
  private static ModelProto encoderWithOutlierChannel(float gain) {
    Map<String, WeightTensor> weights = new HashMap<>(SyntheticWeights.generate(BERT, 11, true, 0.2));
    WeightTensor gamma = weights.get("embeddings.LayerNorm.weight");
    float[] values = gamma.values().clone();
    values[OUTLIER] *= gain;
    weights.put(gamma.name(), new WeightTensor(gamma.name(), gamma.shape(), values));
    return EncoderGraphWriter.write(EncoderWeights.of(BERT, weights, "synthetic"), ExportOptions.defaults(), Map.of());
  }

  private static String layerZeroQueryInput(ModelProto model) {
    return model.getGraph().getNodeList().stream()
        .filter(node -> node.getName().equals("layer0/query/matmul/MatMul"))
        .findFirst().orElseThrow().getInput(0);
  }

  private static long distinctActivations(QuantizedModel q) {
    return q.model().getGraph().getNodeList().stream().filter(node -> node.getName().endsWith("/outlier_gather"))
        .map(node -> node.getInput(0)).distinct().count();
  }
}
