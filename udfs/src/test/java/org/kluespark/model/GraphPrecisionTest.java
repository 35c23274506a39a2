package org.kluespark.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderFamily;
import org.kluespark.convert.EncoderGraphWriter;
import org.kluespark.convert.EncoderWeights;
import org.kluespark.convert.ExportOptions;
import org.kluespark.synth.SyntheticWeights;

/** Precision is read from what the graph's nodes compute, not from names or metadata. */
class GraphPrecisionTest {
  @Test
  void convertedGraphsAreFloat32EvenWithHalfStoredWeights() {
    EncoderConfig config = new EncoderConfig(EncoderFamily.BERT, 64, 16, 1, 2, 32, "gelu", 32, 2, 1e-12, 0);
    EncoderWeights weights = EncoderWeights.of(config, SyntheticWeights.generate(config, 1, true, 0.02), "synthetic");
    assertThat(GraphPrecision.of(EncoderGraphWriter.write(weights, ExportOptions.defaults(), Map.of())))
        .isEqualTo(Precision.FP32);
    ModelProto halfStored = EncoderGraphWriter.write(weights, ExportOptions.defaults().withHalfWeights(true), Map.of());
    assertThat(GraphPrecision.of(halfStored)).isEqualTo(Precision.FP32);
    assertThat(GraphPrecision.of(halfStored.toByteArray(), "model.onnx")).isEqualTo(Precision.FP32);
  }

  @Test
  void castsToHalfOrHalfWeightsUsedDirectlyMeanFloat16() {
    assertThat(GraphPrecision.of(graph(node("Cast", "x", "y").addAttribute(AttributeProto.newBuilder().setName("to")
        .setType(AttributeProto.AttributeType.INT).setI(TensorProto.DataType.FLOAT16.getNumber())), null)))
        .isEqualTo(Precision.FP16);
    TensorProto halfWeight = TensorProto.newBuilder().setName("w").setDataType(TensorProto.DataType.FLOAT16.getNumber()).build();
    assertThat(GraphPrecision.of(graph(node("MatMul", "x", "y").addInput("w"), halfWeight))).isEqualTo(Precision.FP16);
  }

  @Test
  void anyQuantizationOpMeansInt8() {
    for (String op : new String[] {"MatMulInteger", "DynamicQuantizeLinear", "DynamicQuantizeMatMul", "MatMulIntegerToFloat"}) {
      assertThat(GraphPrecision.of(graph(node(op, "x", "y"), null))).as(op).isEqualTo(Precision.INT8);
    }
  }

  @Test
  void bytesThatAreNotAModelNameTheFile() {
    assertThatThrownBy(() -> GraphPrecision.of(new byte[] {0x0a, (byte) 0xff}, "/b/model.onnx"))
        .isInstanceOf(ModelBundleException.class).hasMessageContaining("/b/model.onnx is not a loadable ONNX model");
  }

  private static NodeProto.Builder node(String op, String in, String out) {
    return NodeProto.newBuilder().setOpType(op).addInput(in).addOutput(out);
  }

  private static ModelProto graph(NodeProto.Builder node, TensorProto initializer) {
    GraphProto.Builder graph = GraphProto.newBuilder().addNode(node);
    if (initializer != null) {
      graph.addInitializer(initializer);
    }
    return ModelProto.newBuilder().setGraph(graph).build();
  }
}
