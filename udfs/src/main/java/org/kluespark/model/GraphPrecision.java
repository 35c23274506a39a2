package org.kluespark.model;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads what an ONNX graph computes in from its nodes, so a bundle's manifest can be checked against the graph
 * it describes and so no code path has to trust a file name.
 *
 * <ul>
 *   <li>{@code int8}: any quantization op (ONNX Runtime's dynamic and static quantizers write these).
 *   <li>{@code fp16}: activations are cast to half ({@code Cast to=FLOAT16}) or a half initializer feeds a node
 *       other than a {@code Cast} (computed in half directly).
 *   <li>{@code fp32}: everything else, including float16-stored weights that are cast up before use.
 * </ul>
 */
public final class GraphPrecision {
  /** Ops only quantized graphs hold (ONNX Runtime's dynamic and static quantizers write these). */
  public static final Set<String> QUANTIZATION_OPS = Set.of("MatMulInteger", "DynamicQuantizeLinear",
      "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeMatMul", "MatMulIntegerToFloat", "QAttention", "QGemm",
      "QLinearMatMul", "ConvInteger", "QLinearConv", "DynamicQuantizeLSTM", "QOrderedMatMul");

  private GraphPrecision() {}

  /** The precision of a serialized model; its weights are aliased, not copied, so this is cheap on big models. */
  public static Precision of(byte[] modelBytes, String modelFile) {
    CodedInputStream in = CodedInputStream.newInstance(modelBytes);
    in.enableAliasing(true);
    in.setSizeLimit(Integer.MAX_VALUE);
    try {
      return of(ModelProto.parseFrom(in));
    } catch (IOException e) {
      throw ModelInspector.notLoadable(modelFile, e);
    }
  }

  public static Precision of(ModelProto model) {
    GraphProto graph = model.getGraph();
    Set<String> halfInitializers = new HashSet<>();
    for (TensorProto tensor : graph.getInitializerList()) {
      if (tensor.getDataType() == TensorProto.DataType.FLOAT16.getNumber()) {
        halfInitializers.add(tensor.getName());
      }
    }
    boolean half = false;
    for (NodeProto node : graph.getNodeList()) {
      if (QUANTIZATION_OPS.contains(node.getOpType())) {
        return Precision.INT8;
      }
      half |= "Cast".equals(node.getOpType()) ? castsToHalf(node)
          : node.getInputList().stream().anyMatch(halfInitializers::contains);
    }
    return half ? Precision.FP16 : Precision.FP32;
  }

  private static boolean castsToHalf(NodeProto cast) {
    return cast.getAttributeList().stream()
        .anyMatch(a -> "to".equals(a.getName()) && a.getI() == TensorProto.DataType.FLOAT16.getNumber());
  }
}
