package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The element type of every tensor of a graph, from its inputs, initializers and a per-op rule (most ops
 * return their first input's type). Enough for encoder graphs without running ONNX's shape inference,
 * which Java does not have; declared {@code value_info} fills what the rules do not know.
 */
final class TensorTypes {
  static final int UNKNOWN = DataType.UNDEFINED_VALUE;
  private static final Set<String> INT64_RESULTS = Set.of("Shape", "Size", "NonZero", "ArgMax", "ArgMin");
  private static final Set<String> BOOL_RESULTS = Set.of("Equal", "Less", "LessOrEqual", "Greater",
      "GreaterOrEqual", "Not", "And", "Or", "Xor", "IsNaN", "IsInf");

  private TensorTypes() {}

  /** Element types by tensor name; nodes must be in topological order. */
  static Map<String, Integer> infer(GraphProto graph) {
    Map<String, Integer> declared = new HashMap<>();
    for (ValueInfoProto value : graph.getValueInfoList()) {
      declared.put(value.getName(), elemType(value));
    }
    for (ValueInfoProto value : graph.getOutputList()) {
      declared.put(value.getName(), elemType(value));
    }
    Map<String, Integer> types = new HashMap<>();
    graph.getInputList().forEach(value -> types.put(value.getName(), elemType(value)));
    graph.getInitializerList().forEach(tensor -> types.put(tensor.getName(), tensor.getDataType()));
    for (NodeProto node : graph.getNodeList()) {
      int type = resultType(node, types);
      for (int slot = 0; slot < node.getOutputCount(); slot++) {
        String output = node.getOutput(slot);
        if (!output.isEmpty()) {
          int known = isMaskIndex(node, slot) ? DataType.INT32_VALUE : type;
          types.put(output, known != UNKNOWN ? known : declared.getOrDefault(output, UNKNOWN));
        }
      }
    }
    return types;
  }

  static int elemType(ValueInfoProto value) {
    return value.getType().hasTensorType() ? value.getType().getTensorType().getElemType() : UNKNOWN;
  }

  /** EmbedLayerNormalization's second output, the int32 mask_index; its others have the embeddings' type. */
  private static boolean isMaskIndex(NodeProto node, int slot) {
    return slot == 1 && node.getOpType().equals("EmbedLayerNormalization");
  }

  private static int resultType(NodeProto node, Map<String, Integer> types) {
    String op = node.getOpType();
    if (INT64_RESULTS.contains(op)) {
      return DataType.INT64_VALUE;
    }
    if (BOOL_RESULTS.contains(op)) {
      return DataType.BOOL_VALUE;
    }
    switch (op) {
      case "Cast":
        return (int) attribute(node, "to").getI();
      case "CastLike":
      case "Where":
        return input(node, 1, types);
      case "EmbedLayerNormalization": // input 0 is the int32 ids, input 2 the word embeddings
        return input(node, 2, types);
      case "Constant":
        return constantType(node);
      case "ConstantOfShape": {
        AttributeProto value = attribute(node, "value");
        return value == null ? DataType.FLOAT_VALUE : value.getT().getDataType();
      }
      default:
        return input(node, 0, types);
    }
  }

  private static int constantType(NodeProto node) {
    for (AttributeProto attribute : node.getAttributeList()) {
      switch (attribute.getName()) {
        case "value":
          return attribute.getT().getDataType();
        case "value_float":
        case "value_floats":
          return DataType.FLOAT_VALUE;
        case "value_int":
        case "value_ints":
          return DataType.INT64_VALUE;
        case "value_string":
        case "value_strings":
          return DataType.STRING_VALUE;
        default:
          break;
      }
    }
    return UNKNOWN;
  }

  private static int input(NodeProto node, int index, Map<String, Integer> types) {
    return node.getInputCount() > index ? types.getOrDefault(node.getInput(index), UNKNOWN) : UNKNOWN;
  }

  static AttributeProto attribute(NodeProto node, String name) {
    for (AttributeProto attribute : node.getAttributeList()) {
      if (attribute.getName().equals(name)) {
        return attribute;
      }
    }
    return null;
  }
}
