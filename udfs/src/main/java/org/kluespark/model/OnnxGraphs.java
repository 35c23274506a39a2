package org.kluespark.model;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Map;

/** Small edits of ONNX graphs, through the ONNX protobuf classes (Tribuo's {@code OnnxMl}). */
public final class OnnxGraphs {
  private OnnxGraphs() {}

  /**
   * Renames tensors of {@code model} (graph outputs, graph inputs and every node's references to them),
   * e.g. a torch.jit export's {@code output_0} to {@code last_hidden_state}.
   */
  public static byte[] renameTensors(byte[] model, Map<String, String> renames) {
    OnnxMl.ModelProto proto;
    try {
      proto = OnnxMl.ModelProto.parseFrom(model);
    } catch (InvalidProtocolBufferException e) {
      throw new ModelBundleException("Not an ONNX model: " + e.getMessage(), e);
    }
    OnnxMl.GraphProto.Builder graph = proto.getGraph().toBuilder();
    for (OnnxMl.ValueInfoProto.Builder value : graph.getOutputBuilderList()) {
      value.setName(renames.getOrDefault(value.getName(), value.getName()));
    }
    for (OnnxMl.ValueInfoProto.Builder value : graph.getInputBuilderList()) {
      value.setName(renames.getOrDefault(value.getName(), value.getName()));
    }
    for (OnnxMl.ValueInfoProto.Builder value : graph.getValueInfoBuilderList()) {
      value.setName(renames.getOrDefault(value.getName(), value.getName()));
    }
    for (OnnxMl.NodeProto.Builder node : graph.getNodeBuilderList()) {
      for (int i = 0; i < node.getInputCount(); i++) {
        node.setInput(i, renames.getOrDefault(node.getInput(i), node.getInput(i)));
      }
      for (int i = 0; i < node.getOutputCount(); i++) {
        node.setOutput(i, renames.getOrDefault(node.getOutput(i), node.getOutput(i)));
      }
    }
    return proto.toBuilder().setGraph(graph).build().toByteArray();
  }
}
