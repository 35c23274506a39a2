package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code DynamicQuantizeMatMul} (no bias) then {@code BiasGelu(x, b)} written as {@code DynamicQuantizeMatMul(...,
 * b)} then {@code Gelu}: the bias goes into the int8 kernel's output pass, where it is free. ONNX Runtime fuses
 * the float32 graph's MatMul + Add + GELU into MatMul + BiasGelu; once the MatMul is int8, its CPU BiasGelu
 * kernel took twice the time of Gelu (klue-bert-base-shaped, 1,000 KLUE sentences, 1 thread: 1,136 ms against
 * 556 ms in ONNX Runtime's profiler).
 */
final class GeluBiasFolding {
  private GeluBiasFolding() {}

  /** {@code model} with every such pair folded; {@code count[0]} says how many. */
  static ModelProto apply(ModelProto model, int[] count) {
    GraphProto graph = model.getGraph();
    Set<String> initializers = new HashSet<>();
    graph.getInitializerList().forEach(t -> {
      if (t.getDimsCount() == 1) {
        initializers.add(t.getName());
      }
    });
    Set<String> graphOutputs = new HashSet<>();
    graph.getOutputList().forEach(o -> graphOutputs.add(o.getName()));
    Map<String, NodeProto> producers = new HashMap<>();
    Map<String, Integer> readers = new HashMap<>();
    for (NodeProto node : graph.getNodeList()) {
      node.getOutputList().forEach(o -> producers.put(o, node));
      node.getInputList().forEach(i -> readers.merge(i, 1, Integer::sum));
    }
    Map<NodeProto, NodeProto> replacements = new HashMap<>();
    for (NodeProto gelu : graph.getNodeList()) {
      if (!gelu.getOpType().equals("BiasGelu") || !gelu.getDomain().equals(Int8Quantizer.MS_DOMAIN)
          || gelu.getInputCount() != 2 || !initializers.contains(gelu.getInput(1))) {
        continue;
      }
      String product = gelu.getInput(0);
      NodeProto matmul = producers.get(product);
      if (matmul == null || !matmul.getOpType().equals("DynamicQuantizeMatMul") || readers.get(product) != 1
          || graphOutputs.contains(product) || (matmul.getInputCount() > 4 && !matmul.getInput(4).isEmpty())) {
        continue;
      }
      List<String> inputs = List.of(matmul.getInput(0), matmul.getInput(1), matmul.getInput(2),
          matmul.getInputCount() > 3 ? matmul.getInput(3) : "", gelu.getInput(1));
      replacements.put(matmul, matmul.toBuilder().clearInput().addAllInput(inputs).build());
      replacements.put(gelu, gelu.toBuilder().setOpType("Gelu").clearInput().addInput(product).build());
      count[0]++;
    }
    if (replacements.isEmpty()) {
      return model;
    }
    GraphProto.Builder out = graph.toBuilder().clearNode();
    graph.getNodeList().forEach(node -> out.addNode(replacements.getOrDefault(node, node)));
    return model.toBuilder().setGraph(out).build();
  }
}
