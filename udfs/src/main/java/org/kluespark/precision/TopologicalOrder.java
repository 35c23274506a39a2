package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/** Nodes in an order where every tensor is produced before it is read (ONNX requires it; exporters mostly comply). */
final class TopologicalOrder {
  private TopologicalOrder() {}

  /** The nodes of {@code graph} sorted, keeping the given order wherever it is already valid. */
  static List<NodeProto> sort(List<NodeProto> nodes, GraphProto graph, String source) {
    Set<String> available = new HashSet<>();
    graph.getInputList().forEach(value -> available.add(value.getName()));
    graph.getInitializerList().forEach(tensor -> available.add(tensor.getName()));
    available.add("");
    Map<String, List<Integer>> waiting = new HashMap<>();
    int[] missing = new int[nodes.size()];
    PriorityQueue<Integer> ready = new PriorityQueue<>(); // lowest index first: a valid order stays as it is
    for (int i = 0; i < nodes.size(); i++) {
      Set<String> needs = new HashSet<>(nodes.get(i).getInputList());
      needs.removeAll(available);
      missing[i] = needs.size();
      for (String input : needs) {
        waiting.computeIfAbsent(input, k -> new ArrayList<>()).add(i);
      }
      if (missing[i] == 0) {
        ready.add(i);
      }
    }
    List<NodeProto> sorted = new ArrayList<>(nodes.size());
    while (!ready.isEmpty()) {
      int i = ready.poll();
      sorted.add(nodes.get(i));
      for (String output : nodes.get(i).getOutputList()) {
        for (int reader : waiting.getOrDefault(output, List.of())) {
          if (--missing[reader] == 0) {
            ready.add(reader);
          }
        }
        waiting.remove(output);
      }
    }
    if (sorted.size() != nodes.size()) {
      throw new Float16ConversionException(source + ": " + (nodes.size() - sorted.size()) + " nodes read tensors that "
          + "no node, input or initializer produces (or form a cycle); the graph is not a valid ONNX model.");
    }
    return sorted;
  }
}
