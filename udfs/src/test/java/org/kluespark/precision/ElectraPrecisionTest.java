package org.kluespark.precision;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderFamily;
import org.kluespark.convert.EncoderGraphWriter;
import org.kluespark.convert.EncoderWeights;
import org.kluespark.convert.ExportOptions;
import org.kluespark.synth.SyntheticWeights;
import org.kluespark.testing.TestVectors;
import org.kluespark.testing.reference.ReferenceEncoder;
import org.kluespark.testing.reference.ReferenceOutput;

/**
 * int8 and fp16 conversion of an ELECTRA graph with its embedding projection (embeddings 16 wide, hidden 32,
 * 2 layers): the projection's MatMul is quantized like every other weight MatMul (int8), and cast to half
 * like them (fp16); outputs stay within the tolerances the BERT/RoBERTa graphs get, and the fp16 graph
 * stays within the float64 reference's simulated-half mode, which projects the embeddings too.
 */
class ElectraPrecisionTest {
  static final EncoderConfig ELECTRA =
      new EncoderConfig(EncoderFamily.ELECTRA, 300, 32, 2, 4, 64, "gelu", 40, 2, 1e-12, 0, 16);
  static final double STDDEV = 0.05;

  @TempDir Path dir;

  private final EncoderWeights weights =
      EncoderWeights.of(ELECTRA, SyntheticWeights.generate(ELECTRA, 7, false, STDDEV), "synthetic");
  private final EncoderRuns.Batch batch = EncoderRuns.Batch.ragged(ELECTRA, new int[] {19, 7, 12, 3}, 2, 11);

  @Test
  void int8QuantizesTheProjectionAndStaysClose() throws Exception {
    ModelProto fp32 = EncoderGraphWriter.write(weights, ExportOptions.defaults(), Map.of());
    PrecisionConversion.Result int8 = PrecisionConversion.convert(fp32, new PrecisionOptions(
        org.kluespark.model.Precision.INT8, false), "electra");
    NodeProto projection = int8.model().getGraph().getNodeList().stream()
        .filter(node -> node.getName().startsWith("embeddings_project")
            || node.getOutputList().stream().anyMatch(out -> out.startsWith("embeddings_project")))
        .filter(node -> !node.getOpType().equals("Add"))
        .findFirst().orElseThrow();
    System.out.println("electra int8: projection node " + projection.getOpType() + " " + projection.getName()
        + "; summary " + int8.parameters());
    assertThat(projection.getOpType()).isEqualTo("DynamicQuantizeMatMul");
    // the float32 graph is fused first: layer 1's attention fuses and its query, key and value become one
    // QAttention; layer 0's does not (it reads the projection's Add, see ElectraFusionTest), so its six
    // projections stay DynamicQuantizeMatMul, as do layer 1's other three and the projection
    assertThat(Int8QuantizerTest.opCounts(int8.model())).containsEntry("DynamicQuantizeMatMul", 6 + 3 + 1)
        .containsEntry("QAttention", 1);

    ReferenceOutput exact = ReferenceEncoder.forward(weights, batch.ids(), batch.mask(), batch.types());
    Map<String, Object> ort = EncoderRuns.run(EncoderRuns.write(int8.model(), dir.resolve("int8/model.onnx")), batch, true);
    double last = TestVectors.maxAbs((float[][][]) ort.get("last_hidden_state"), exact.lastHiddenState(), batch.mask());
    double embeddings = TestVectors.maxAbs((float[][][]) ort.get("hidden_states.0"), exact.hiddenStates().get(0),
        batch.mask());
    System.out.printf("electra int8 max-abs vs float64 reference: last_hidden_state %.2e, hidden_states.0 %.2e%n",
        last, embeddings);
    assertThat(ort).doesNotContainKey("pooler_output");
    assertThat(embeddings).as("the projection is quantized, so its output moves").isGreaterThan(1e-5);
    assertThat(last).as("int8 stays close (measured 3.2e-2)").isLessThanOrEqualTo(0.1);
  }

  /**
   * As in ElectraFusionTest: with a projection, layer 0's attention and the embeddings' LayerNorm do not fuse
   * (ONNX Runtime's attention fusion starts from a LayerNorm, and layer 0 reads the projection's Add). Its mask
   * path (Cast, Sub, Mul, the Add to the scores) and Softmax stay a float32 island; the scaled QK^T (FusedMatMul)
   * and everything else fused take half, except, by default, the residual stream: the layer norms and the
   * embeddings' two sums before the unfused one.
   */
  @ParameterizedTest
  @EnumSource(ResidualPrecision.class)
  void fp16GraphMatchesTheSimulatedHalfReference(ResidualPrecision residual) throws Exception {
    ModelProto fp32 = EncoderGraphWriter.write(weights, ExportOptions.defaults(), Map.of());
    Float16Converter.Result half = Float16Converter.convert(fp32, "electra", residual);
    System.out.println("electra fp16 summary (residual " + residual.paramValue() + "): " + half.summary());
    assertThat(half.summary()).containsEntry("float32_ops", residual == ResidualPrecision.FLOAT32
            ? "Add=3, Cast=1, LayerNormalization=1, Mul=1, SkipLayerNormalization=4, Softmax=1, Sub=1"
            : "Add=1, Cast=1, Mul=1, Softmax=1, Sub=1")
        .containsEntry("fused_ops", "LayerNormalization=1, com.microsoft.Attention=1, com.microsoft.BiasGelu=2, "
            + "com.microsoft.FusedMatMul=1, com.microsoft.SkipLayerNormalization=4");
    Path modelFile = EncoderRuns.write(half.model(), dir.resolve("fp16/model.onnx"));
    ReferenceOutput exact = ReferenceEncoder.forward(weights, batch.ids(), batch.mask(), batch.types());
    ReferenceOutput simulated = ReferenceEncoder.forwardSimulatedHalf(weights, batch.ids(), batch.mask(), batch.types(),
        residual);
    Map<String, Object> ort = EncoderRuns.run(modelFile, batch, true);
    Map<String, Double> ortVsExact = new LinkedHashMap<>();
    Map<String, Double> simulatedVsExact = new LinkedHashMap<>();
    for (int layer = 0; layer <= ELECTRA.numLayers(); layer++) {
      String output = "hidden_states." + layer;
      ortVsExact.put(output, TestVectors.maxAbs((float[][][]) ort.get(output), exact.hiddenStates().get(layer),
          batch.mask()));
      simulatedVsExact.put(output, TestVectors.maxAbs(simulated.hiddenStates().get(layer),
          exact.hiddenStates().get(layer), batch.mask()));
    }
    System.out.println("electra fp16 graph (ONNX Runtime CPU) max-abs vs float64 reference: " + ortVsExact);
    System.out.println("electra simulated half vs float64 reference: " + simulatedVsExact);
    double ortTolerance = residual == ResidualPrecision.FLOAT32 ? Float16ParityTest.ORT_TOLERANCE
        : Float16ParityTest.HALF_RESIDUAL_ORT_TOLERANCE;
    assertThat(ortVsExact.values()).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(ortTolerance));
    assertThat(simulatedVsExact.values())
        .allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(Float16ParityTest.SIMULATED_TOLERANCE));
    assertThat(ortVsExact.get("hidden_states.0")).as("the projection computes in half").isGreaterThan(1e-5);
    assertThat(simulatedVsExact.get("hidden_states.0")).as("the simulation rounds the projection").isGreaterThan(1e-5);
  }
}
