package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Undoes "float16 storage, float32 compute" ({@code kluespark convert --fp16}: a float16 initializer read only
 * through {@code Cast(to=FLOAT)}): each such Cast becomes a float32 initializer holding the exact widened
 * values, so the graph is plain float32 again. Rounding those values back to half is exact, so the
 * weights the fp16 graph computes with are the ones the bundle stored.
 *
 * @param unfolded how many Casts of stored half weights were removed
 */
record StoredHalfWeights(List<NodeProto> nodes, List<TensorProto> initializers, int unfolded) {

  static StoredHalfWeights unfold(GraphProto graph, List<NodeProto> sorted, Path modelDir) {
    Map<String, TensorProto> halfWeights = new HashMap<>();
    for (TensorProto tensor : graph.getInitializerList()) {
      if (tensor.getDataType() == DataType.FLOAT16_VALUE) {
        halfWeights.put(tensor.getName(), tensor);
      }
    }
    List<NodeProto> nodes = new ArrayList<>();
    List<TensorProto> widened = new ArrayList<>();
    for (NodeProto node : sorted) {
      TensorProto half = node.getOpType().equals("Cast") ? halfWeights.get(node.getInput(0)) : null;
      if (half != null && castsTo(node) == DataType.FLOAT_VALUE) {
        widened.add(FloatTensorData.floatTensor(node.getOutput(0), half.getDimsList(),
            FloatTensorData.halfValues(half, modelDir)));
      } else {
        nodes.add(node);
      }
    }
    Set<String> stillRead = new HashSet<>();
    nodes.forEach(node -> stillRead.addAll(node.getInputList()));
    graph.getOutputList().forEach(output -> stillRead.add(output.getName()));
    List<TensorProto> initializers = new ArrayList<>();
    for (TensorProto tensor : graph.getInitializerList()) {
      if (!halfWeights.containsKey(tensor.getName()) || stillRead.contains(tensor.getName())) {
        initializers.add(tensor);
      }
    }
    initializers.addAll(widened);
    return new StoredHalfWeights(nodes, initializers, widened.size());
  }

  private static long castsTo(NodeProto node) {
    var to = TensorTypes.attribute(node, "to");
    return to == null ? -1 : to.getI();
  }
}
