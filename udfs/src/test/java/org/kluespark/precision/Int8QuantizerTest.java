package org.kluespark.precision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kluespark.convert.OnnxModelFiles;

/**
 * Int8Quantizer on tiny graphs run by ONNX Runtime: outputs within int8 tolerance of float32, the ops written,
 * what stays float32, and each refusal. Tolerance: dynamic int8 (8-bit activations per tensor, 8-bit weights
 * per channel) on N(0, 1) inputs keeps every output within 3% of the largest float32 output here.
 */
class Int8QuantizerTest {
  private static final double TOLERANCE = 0.03;
  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(Int8OpForm.class)
  void twoLayerGraphMatchesFloat32AndKeepsItsInputsAndOutputs(Int8OpForm form) throws Exception {
    ModelProto fp32 = TinyGraphs.twoLayer(1, false, 1f);
    QuantizedModel q = Int8Quantizer.quantize(fp32, Int8Options.defaults().withOpForm(form));

    float[] x = new TinyGraphs(7).gaussian(2 * 5 * 16, 1.0);
    assertClose(TinyGraphs.run(q.model(), x, 2, 5, 16), TinyGraphs.run(fp32, x, 2, 5, 16));
    assertThat(names(q.model().getGraph().getInputList())).isEqualTo(names(fp32.getGraph().getInputList()));
    assertThat(names(q.model().getGraph().getOutputList())).isEqualTo(names(fp32.getGraph().getOutputList()));
    if (form == Int8OpForm.DYNAMIC_QUANTIZE_MATMUL) {
      // the bias Add is folded into the first DynamicQuantizeMatMul
      assertThat(opTypes(q.model())).containsExactly("DynamicQuantizeMatMul", "Relu", "DynamicQuantizeMatMul");
      assertThat(q.model().getOpsetImportList()).anyMatch(o -> o.getDomain().equals("com.microsoft"));
    } else {
      assertThat(opCounts(q.model())).isEqualTo(Map.of("DynamicQuantizeLinear", 2, "MatMulInteger", 2, "Cast", 2,
          "Mul", 4, "Add", 1, "Relu", 1));
    }
    assertThat(initializerTypes(q.model())).doesNotContainKey("w1").doesNotContainKey("w2")
        .containsEntry("w1_int8", TensorProto.DataType.INT8_VALUE);
    assertThat(q.summary()).containsEntry("weight_granularity", "per-channel").containsEntry("reduce_range", "false")
        .containsEntry("op_form", form.label()).containsEntry("quantized_matmuls", "2")
        .containsEntry("float32_matmuls", "0");
    assertThat(q.report().get(0)).startsWith("int8 dynamic quantization: 2 of 2 MatMul/Gemm");
  }

  @Test
  void perTensorAndReducedRangeScalesAlsoMatchFloat32() throws Exception {
    ModelProto fp32 = TinyGraphs.twoLayer(2, false, 1f);
    float[] x = new TinyGraphs(8).gaussian(3 * 4 * 16, 1.0);
    float[] expected = TinyGraphs.run(fp32, x, 3, 4, 16);
    Int8Options perTensor = Int8Options.defaults().withGranularity(WeightGranularity.PER_TENSOR);
    QuantizedModel q = Int8Quantizer.quantize(fp32, perTensor);
    assertClose(TinyGraphs.run(q.model(), x, 3, 4, 16), expected);
    assertThat(initializer(q.model(), "w1_int8_scale").getDimsCount()).isZero();
    assertThat(initializer(Int8Quantizer.quantize(fp32, Int8Options.defaults()).model(), "w1_int8_scale")
        .getDimsList()).containsExactly(8L);
    QuantizedModel reduced = Int8Quantizer.quantize(fp32, perTensor.withReduceRange(true));
    assertClose(TinyGraphs.run(reduced.model(), x, 3, 4, 16), expected, 2 * TOLERANCE);
    assertThat(reduced.summary()).containsEntry("weight_granularity", "per-tensor").containsEntry("reduce_range", "true");
  }

  @Test
  void float16WeightBehindACastIsQuantizedAndTheCastDropped() throws Exception {
    ModelProto half = TinyGraphs.twoLayer(3, true, 1f);
    QuantizedModel q = Int8Quantizer.quantize(half, Int8Options.defaults());
    float[] x = new TinyGraphs(9).gaussian(1 * 6 * 16, 1.0);
    assertClose(TinyGraphs.run(q.model(), x, 1, 6, 16), TinyGraphs.run(half, x, 1, 6, 16));
    assertThat(opTypes(q.model())).doesNotContain("Cast", "MatMul");
    assertThat(initializerTypes(q.model())).doesNotContainValue(TensorProto.DataType.FLOAT16_VALUE);
  }

  @ParameterizedTest
  @EnumSource(Int8OpForm.class)
  void gemmWithTransposedWeightAlphaAndBetaMatchesFloat32(Int8OpForm form) throws Exception {
    TinyGraphs g = new TinyGraphs(4).input(TinyGraphs.X, TensorProto.DataType.FLOAT, "batch", 16);
    g.floats("w", g.gaussian(8 * 16, 0.3), 8, 16).floats("c", g.gaussian(8, 0.5), 8)
        .node("Gemm", List.of(TinyGraphs.X, "w", "c"), TinyGraphs.Y, TinyGraphs.intAttribute("transB", 1),
            TinyGraphs.floatAttribute("alpha", 0.5f), TinyGraphs.floatAttribute("beta", 2f))
        .output(TinyGraphs.Y, "batch", 8);
    ModelProto fp32 = g.build();
    QuantizedModel q = Int8Quantizer.quantize(fp32, Int8Options.defaults().withOpForm(form));
    float[] x = new TinyGraphs(10).gaussian(3 * 16, 1.0);
    assertClose(TinyGraphs.run(q.model(), x, 3, 16), TinyGraphs.run(fp32, x, 3, 16));
    assertThat(opTypes(q.model())).doesNotContain("Gemm");
    assertThat(initializer(q.model(), "w_int8").getDimsList()).containsExactly(16L, 8L);
  }

  @Test
  void poolerOutlierRowsAndNamePatternsStayFloat32() throws Exception {
    // pooler: tanh(x · W + b) stays float32; the MatMul before it is quantized
    TinyGraphs g = new TinyGraphs(5).input(TinyGraphs.X, TensorProto.DataType.FLOAT, "batch", 16);
    g.floats("dense", g.gaussian(16 * 16, 0.3), 16, 16).floats("pool", g.gaussian(16 * 16, 0.3), 16, 16)
        .floats("pool_b", g.gaussian(16, 0.1), 16)
        .node("MatMul", List.of(TinyGraphs.X, "dense"), "h").node("MatMul", List.of("h", "pool"), "p")
        .node("Add", List.of("p", "pool_b"), "pb").node("Tanh", List.of("pb"), TinyGraphs.Y)
        .output(TinyGraphs.Y, "batch", 16);
    QuantizedModel pooled = Int8Quantizer.quantize(g.build(), Int8Options.defaults());
    assertThat(opTypes(pooled.model())).containsExactly("DynamicQuantizeMatMul", "MatMul", "Add", "Tanh");
    assertThat(pooled.report()).anyMatch(line -> line.startsWith("float32 p/MatMul") && line.contains("pooler"));
    assertThat(pooled.summary().get("float32_reasons")).contains("p/MatMul: pooler");

    // an input row 30x the others (max/rms row norm about 4) stays float32 above a ratio of 3
    ModelProto outlier = TinyGraphs.twoLayer(6, false, 30f);
    Int8Options flagAbove3 = Int8Options.defaults().withOutlierRowRatio(3.0);
    QuantizedModel kept = Int8Quantizer.quantize(outlier, flagAbove3.withSplitOutlierRows(false));
    assertThat(opTypes(kept.model())).containsExactly("MatMul", "Add", "Relu", "DynamicQuantizeMatMul");
    assertThat(kept.summary().get("float32_reasons")).contains("h/MatMul: outlier input row: max/rms row norm 4.0 > 3.0");
    // by default only the outlier row is multiplied in float32, its activation column masked out of the int8
    // part: (x * mask) ·int8 W' + x[..., [0]] · W[[0], :]
    QuantizedModel split = Int8Quantizer.quantize(outlier, flagAbove3);
    assertThat(opTypes(split.model())).containsExactly("Mul", "DynamicQuantizeMatMul", "Gather", "MatMul", "Add",
        "Relu", "DynamicQuantizeMatMul");
    assertThat(split.summary()).containsEntry("float32_matmuls", "0").containsEntry("float32_input_channels", "h/MatMul: [0]");
    float[] x = new TinyGraphs(16).gaussian(2 * 3 * 16, 1.0);
    float[] expected = TinyGraphs.run(outlier, x, 2, 3, 16);
    assertClose(TinyGraphs.run(split.model(), x, 2, 3, 16), expected);
    assertThat(maxError(TinyGraphs.run(split.model(), x, 2, 3, 16), expected))
        .isLessThan(maxError(TinyGraphs.run(Int8Quantizer.quantize(outlier, flagAbove3.withOutlierRowRatio(0)).model(),
            x, 2, 3, 16), expected));
    assertThat(opTypes(Int8Quantizer.quantize(outlier, Int8Options.defaults().withOutlierRowRatio(0)).model()))
        .containsExactly("DynamicQuantizeMatMul", "Relu", "DynamicQuantizeMatMul");

    QuantizedModel named = Int8Quantizer.quantize(TinyGraphs.twoLayer(1, false, 1f),
        Int8Options.defaults().withKeepFloat(List.of("^y/")));
    assertThat(opTypes(named.model())).containsExactly("DynamicQuantizeMatMul", "Relu", "MatMul");
    assertThat(named.summary()).containsEntry("keep_float_patterns", "^y/")
        .containsEntry("float32_reasons", "y/MatMul: matches keep-float32 pattern '^y/'");
  }

  @Test
  void eightBitWeightsDoNotSaturateOnThisCpu() throws Exception {
    // Activations 255 and weights 127 everywhere: u8·s8 pair sums of 64,770 overflow int16 if the kernel
    // used vpmaddubsw's saturating adds (AVX2 without VNNI); the result would come out about half of 256.
    TinyGraphs g = new TinyGraphs(11).input(TinyGraphs.X, TensorProto.DataType.FLOAT, 1, 256);
    float[] ones = new float[256 * 4];
    java.util.Arrays.fill(ones, 1f);
    g.floats("w", ones, 256, 4).node("MatMul", List.of(TinyGraphs.X, "w"), TinyGraphs.Y).output(TinyGraphs.Y, 1, 4);
    float[] x = new float[256];
    java.util.Arrays.fill(x, 1f);
    for (Int8OpForm form : Int8OpForm.values()) {
      float[] y = TinyGraphs.run(Int8Quantizer.quantize(g.build(), Int8Options.defaults().withOpForm(form)).model(),
          x, 1, 256);
      assertThat(y).as(form.label()).containsOnly(256f);
    }
  }

  @Test
  void refusesAnAlreadyQuantizedModel() {
    ModelProto once = Int8Quantizer.quantize(TinyGraphs.twoLayer(1, false, 1f), Int8Options.defaults()).model();
    assertThatThrownBy(() -> Int8Quantizer.quantize(once, Int8Options.defaults()))
        .isInstanceOf(QuantizationException.class)
        .hasMessage("The model is already int8: it has a DynamicQuantizeMatMul node (h/MatMul/DynamicQuantizeMatMul)."
            + " Quantize the float32 model instead.");
    ModelProto standard = Int8Quantizer.quantize(TinyGraphs.twoLayer(1, false, 1f),
        Int8Options.defaults().withOpForm(Int8OpForm.MATMUL_INTEGER)).model();
    assertThatThrownBy(() -> Int8Quantizer.quantize(standard, Int8Options.defaults()))
        .hasMessageStartingWith("The model is already int8: it has a DynamicQuantizeLinear node");
  }

  @Test
  void refusesAModelComputingInFloat16() {
    TinyGraphs g = new TinyGraphs(12).input(TinyGraphs.X, TensorProto.DataType.FLOAT16, "batch", 16);
    g.halves("w", g.gaussian(16 * 4, 0.3), 16, 4).node("MatMul", List.of(TinyGraphs.X, "w"), "h")
        .node("Cast", List.of("h"), TinyGraphs.Y, TinyGraphs.intAttribute("to", TensorProto.DataType.FLOAT_VALUE))
        .output(TinyGraphs.Y, "batch", 4);
    assertThatThrownBy(() -> Int8Quantizer.quantize(g.build(), Int8Options.defaults()))
        .isInstanceOf(QuantizationException.class)
        .hasMessage("The model is already fp16: MatMul h/MatMul computes in float16 (input w). int8 quantization "
            + "needs the float32 model; convert it again with --precision int8.");
  }

  @Test
  void refusesAModelWithoutConstantMatMulWeights() {
    TinyGraphs g = new TinyGraphs(13).input(TinyGraphs.X, TensorProto.DataType.FLOAT, 4, 4)
        .input("z", TensorProto.DataType.FLOAT, 4, 4)
        .node("MatMul", List.of(TinyGraphs.X, "z"), TinyGraphs.Y).output(TinyGraphs.Y, 4, 4);
    assertThatThrownBy(() -> Int8Quantizer.quantize(g.build(), Int8Options.defaults()))
        .isInstanceOf(QuantizationException.class)
        .hasMessage("The model has no MatMul or Gemm with a constant float weight (an initializer, or a Cast of a "
            + "float16 initializer): there is nothing to quantize to int8.");
    assertThatThrownBy(() -> Int8Quantizer.quantize(TinyGraphs.twoLayer(1, false, 1f),
        Int8Options.defaults().withKeepFloat(List.of("MatMul"))))
        .hasMessage("All 2 MatMul/Gemm nodes with constant weights are kept float32 by the options (matches "
            + "keep-float32 pattern 'MatMul', ...): nothing to quantize.");
  }

  @Test
  void externalDataWeightsAreReadInlineFirst() throws Exception {
    TinyGraphs g = new TinyGraphs(14).input(TinyGraphs.X, TensorProto.DataType.FLOAT, "batch", 64);
    g.floats("w", g.gaussian(64 * 32, 0.2), 64, 32).node("MatMul", List.of(TinyGraphs.X, "w"), TinyGraphs.Y)
        .output(TinyGraphs.Y, "batch", 32);
    ModelProto fp32 = g.build();
    assertThat(OnnxModelFiles.write(fp32, tmp, 0)).isTrue();
    ModelProto external = ModelProto.parseFrom(java.nio.file.Files.readAllBytes(tmp.resolve(OnnxModelFiles.MODEL_FILE)));
    assertThatThrownBy(() -> Int8Quantizer.quantize(external, Int8Options.defaults()))
        .isInstanceOf(QuantizationException.class)
        .hasMessage("Weight w of y/MatMul is stored in external data; read the model with "
            + "OnnxModelReader.read(modelFile), which loads external data, before quantizing.");
    ModelProto inlined = OnnxModelReader.read(tmp.resolve(OnnxModelFiles.MODEL_FILE));
    assertThat(inlined).isEqualTo(fp32);
    float[] x = new TinyGraphs(15).gaussian(2 * 64, 1.0);
    assertClose(TinyGraphs.run(Int8Quantizer.quantize(inlined, Int8Options.defaults()).model(), x, 2, 64),
        TinyGraphs.run(fp32, x, 2, 64));
  }

  @Test
  void invalidOptionsNameTheValue() {
    assertThatThrownBy(() -> WeightGranularity.fromLabel("per-row"))
        .hasMessage("Invalid weight granularity 'per-row', expected one of [per-channel, per-tensor]");
    assertThatThrownBy(() -> Int8OpForm.fromLabel("qlinear"))
        .hasMessage("Invalid int8 op form 'qlinear', expected one of [dynamic-quantize-matmul, matmul-integer]");
    assertThatThrownBy(() -> Int8Options.defaults().withOutlierRowRatio(-1))
        .hasMessage("Invalid outlier row ratio (must be >= 0, 0 = off): -1.0");
    assertThatThrownBy(() -> Int8Options.defaults().withKeepFloat(List.of("(")))
        .hasMessageStartingWith("Invalid keep-float32 pattern '(':");
  }

  static void assertClose(float[] actual, float[] expected) {
    assertClose(actual, expected, TOLERANCE);
  }

  static void assertClose(float[] actual, float[] expected, double tolerance) {
    assertThat(actual).hasSameSizeAs(expected);
    double scale = 0;
    double maxError = 0;
    for (int i = 0; i < expected.length; i++) {
      scale = Math.max(scale, Math.abs(expected[i]));
      maxError = Math.max(maxError, Math.abs(actual[i] - expected[i]));
    }
    assertThat(maxError).as("max-abs error against float32 (largest output %s)", scale)
        .isLessThanOrEqualTo(tolerance * scale).isGreaterThan(0);
  }

  private static double maxError(float[] actual, float[] expected) {
    double max = 0;
    for (int i = 0; i < expected.length; i++) {
      max = Math.max(max, Math.abs(actual[i] - expected[i]));
    }
    return max;
  }

  static List<String> opTypes(ModelProto model) {
    return model.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
  }

  static Map<String, Integer> opCounts(ModelProto model) {
    Map<String, Integer> counts = new TreeMap<>();
    opTypes(model).forEach(op -> counts.merge(op, 1, Integer::sum));
    return counts;
  }

  private static Map<String, Integer> initializerTypes(ModelProto model) {
    Map<String, Integer> types = new TreeMap<>();
    model.getGraph().getInitializerList().forEach(t -> types.put(t.getName(), t.getDataType()));
    return types;
  }

  private static TensorProto initializer(ModelProto model, String name) {
    return model.getGraph().getInitializerList().stream().filter(t -> t.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no initializer " + name));
  }

  private static List<String> names(List<ValueInfoProto> values) {
    return values.stream().map(ValueInfoProto::getName).toList();
  }
}
