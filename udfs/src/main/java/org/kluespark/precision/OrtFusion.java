package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.GraphProtoOrBuilder;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.kluespark.convert.ExportOptions;
import org.kluespark.convert.OnnxModelFiles;

/**
 * Fuses a float32 graph with ONNX Runtime's own optimizer, so the fp16 graph written from it carries the fused
 * {@code com.microsoft} ops (Attention, SkipLayerNormalization, BiasGelu, EmbedLayerNormalization,
 * LayerNormalization) taking float16: ONNX Runtime's documented GPU recipe ({@code optimizer.optimize_model(...,
 * model_type='bert')} then {@code convert_float_to_float16}), done in Java.
 *
 * <p>Why ONNX Runtime's optimizer rather than writing the fused ops in the converter's graph writer: it works on
 * any float32 graph (the built-in {@code minilm} and other exports too, fusing what ONNX Runtime can), and it
 * fuses exactly what the stage's own session would, so there is one source of truth for the patterns. Level
 * {@code EXTENDED}: the BERT fusions; {@code ALL} adds layout transforms for this CPU, which a file meant for
 * GPUs must not carry. The optimizer runs with the CPU provider (the only one certain to exist here), so
 * fusions that only the CPU provider has a kernel for are undone ({@link #CPU_ONLY_OPS}).
 */
final class OrtFusion {
  /**
   * Ops ONNX Runtime's CPU optimizer may write that CUDA cannot run. {@code FusedGemm}: the pooler's Gemm + Tanh;
   * no CUDA kernel (the name is absent from {@code libonnxruntime_providers_cuda.so} 1.28.0), undone here into
   * {@code Gemm} + the activation. {@code FusedConv}, {@code NhwcMaxPool}, {@code QLinear*}, the {@code
   * com.microsoft.nchwc} domain: CPU layouts and quantized kernels, written only at level {@code ALL} or for
   * graphs an encoder does not have; a fused graph holding one is refused.
   */
  static final Set<String> CPU_ONLY_OPS = Set.of("com.microsoft.FusedGemm", "com.microsoft.FusedConv",
      "com.microsoft.NhwcMaxPool", "com.microsoft.QLinearAdd", "com.microsoft.QLinearConv");
  static final String CPU_ONLY_DOMAIN = "com.microsoft.nchwc";
  /** FusedGemm activations that are plain ONNX ops without attributes. */
  private static final Set<String> PLAIN_ACTIVATIONS = Set.of("Tanh", "Relu", "Sigmoid");

  private OrtFusion() {}

  /** {@code model}: float32, every tensor inline. Returns it fused, with its inputs, outputs and metadata unchanged. */
  static ModelProto fuse(ModelProto model, String source) {
    return fuse(model, source, ExportOptions.DEFAULT_EXTERNAL_DATA_THRESHOLD);
  }

  /** As {@link #fuse(ModelProto, String)}; weights over {@code externalDataThresholdBytes} go through files beside it. */
  static ModelProto fuse(ModelProto model, String source, long externalDataThresholdBytes) {
    try {
      return finish(model, optimizedByOrt(model, externalDataThresholdBytes), source);
    } catch (OrtException e) {
      throw new Float16ConversionException("ONNX Runtime could not load " + source + " to fuse it before the half "
          + "conversion: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + source + " to a scratch directory to fuse it: "
          + e.getMessage(), e);
    }
  }

  /**
   * {@code model} (every tensor inline; float32 before the int8 quantization, or already int8) fused by ONNX Runtime
   * for its CPU provider, the only one that runs int8 bundles: CPU-only fusions stay, and the signature is checked
   * as for half.
   */
  static ModelProto fuseForCpu(ModelProto model, String source) {
    try {
      ModelProto fused = optimizedByOrt(model, ExportOptions.DEFAULT_EXTERNAL_DATA_THRESHOLD);
      String changed = changedSignature(model.getGraph(), fused.getGraph(), source);
      if (changed != null) {
        throw new QuantizationException(changed);
      }
      return model.toBuilder().setGraph(fused.getGraph()).clearOpsetImport()
          .addAllOpsetImport(usedOpsets(fused, fused.getGraph().getNodeList())).build();
    } catch (OrtException e) {
      throw new QuantizationException("ONNX Runtime could not load the graph of " + source + " to fuse it for int8: "
          + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + source + " to a scratch directory to fuse it: "
          + e.getMessage(), e);
    }
  }

  /** What ONNX Runtime's CPU session writes back for {@code model} at EXTENDED (every BERT fusion, no layouts). */
  private static ModelProto optimizedByOrt(ModelProto model, long externalDataThresholdBytes)
      throws OrtException, IOException {
    Path scratch = Files.createTempDirectory("kluespark-fuse");
    try {
      Path in = scratch.resolve("in");
      boolean external = OnnxModelFiles.write(model, in, externalDataThresholdBytes);
      Path fusedFile = scratch.resolve("fused.onnx");
      try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
        options.setOptimizationLevel(OptLevel.EXTENDED_OPT);
        options.setIntraOpNumThreads(1);
        options.setOptimizedModelFilePath(fusedFile.toString());
        if (external) { // over 2 GB: the fused file keeps its weights beside it too
          options.addConfigEntry("session.optimized_model_external_initializers_file_name", "fused.onnx.data");
          options.addConfigEntry("session.optimized_model_external_initializers_min_size_in_bytes", "1024");
        }
        try (OrtSession session = OrtEnvironment.getEnvironment()
            .createSession(in.resolve(OnnxModelFiles.MODEL_FILE).toString(), options)) {
          // the optimized model is written while the session is built
        }
      }
      return OnnxModelReader.read(fusedFile);
    } finally {
      ScratchDirs.deleteQuietly(scratch);
    }
  }

  /** The fused graph in the source's model: CPU-only fusions undone, unused opset imports dropped, I/O checked. */
  private static ModelProto finish(ModelProto source, ModelProto fused, String name) {
    GraphProto.Builder graph = fused.getGraph().toBuilder().clearNode();
    for (NodeProto node : fused.getGraph().getNodeList()) {
      if (node.getOpType().equals("FusedGemm") && node.getDomain().equals("com.microsoft")) {
        graph.addAllNode(unfuseGemm(node, name));
      } else {
        graph.addNode(node);
      }
    }
    for (NodeProto node : graph.getNodeList()) {
      String op = qualified(node);
      if (CPU_ONLY_OPS.contains(op) || node.getDomain().equals(CPU_ONLY_DOMAIN)) {
        throw new Float16ConversionException("ONNX Runtime's CPU optimizer turned part of " + name + " into " + op
            + " (node " + node.getName() + "), which only its CPU provider runs: the fp16 graph is meant for CUDA. "
            + "Please report this model.");
      }
    }
    String changed = changedSignature(source.getGraph(), graph, name);
    if (changed != null) {
      throw new Float16ConversionException(changed);
    }
    return source.toBuilder().setGraph(graph).clearOpsetImport()
        .addAllOpsetImport(usedOpsets(fused, graph.getNodeList())).build();
  }

  /** The fused model's opset imports that {@code nodes} use (the default domain always). */
  private static List<OperatorSetIdProto> usedOpsets(ModelProto fused, List<NodeProto> nodes) {
    Set<String> domains = new HashSet<>();
    nodes.forEach(node -> domains.add(node.getDomain()));
    List<OperatorSetIdProto> opsets = new ArrayList<>();
    for (OperatorSetIdProto opset : fused.getOpsetImportList()) {
      if (opset.getDomain().isEmpty() || domains.contains(opset.getDomain())) {
        opsets.add(opset);
      }
    }
    return opsets;
  }

  /** {@code FusedGemm(activation=Tanh)} as {@code Gemm} then {@code Tanh}: both have CUDA kernels in half. */
  private static List<NodeProto> unfuseGemm(NodeProto node, String name) {
    NodeProto.Builder gemm = node.toBuilder().clearDomain().setOpType("Gemm").clearAttribute().clearOutput();
    String activation = null;
    for (AttributeProto attribute : node.getAttributeList()) {
      if (attribute.getName().equals("activation")) {
        activation = attribute.getS().toStringUtf8();
      } else if (attribute.getName().startsWith("activation_")) {
        throw new Float16ConversionException(name + ": node " + node.getName() + " is a FusedGemm with activation "
            + "parameters (" + attribute.getName() + "), which the fp16 conversion cannot unfuse for CUDA.");
      } else {
        gemm.addAttribute(attribute);
      }
    }
    if (activation == null) {
      return List.of(gemm.addOutput(node.getOutput(0)).build());
    }
    if (!PLAIN_ACTIVATIONS.contains(activation)) {
      throw new Float16ConversionException(name + ": node " + node.getName() + " is a FusedGemm with activation "
          + activation + "; the fp16 conversion unfuses only " + new TreeSet<>(PLAIN_ACTIVATIONS)
          + " for CUDA.");
    }
    String product = node.getOutput(0) + "/gemm";
    return List.of(gemm.setName(node.getName() + "/Gemm").addOutput(product).build(),
        NodeProto.newBuilder().setOpType(activation).setName(node.getName() + "/" + activation).addInput(product)
            .addOutput(node.getOutput(0)).build());
  }

  /** Why the fused graph's inputs or outputs differ from the source's (names and element types), or null. */
  private static String changedSignature(GraphProtoOrBuilder before, GraphProtoOrBuilder after, String name) {
    for (boolean inputs : new boolean[] {true, false}) {
      List<String> a = (inputs ? before.getInputList() : before.getOutputList()).stream()
          .map(v -> v.getName() + ":" + TensorTypes.elemType(v)).toList();
      List<String> b = (inputs ? after.getInputList() : after.getOutputList()).stream()
          .map(v -> v.getName() + ":" + TensorTypes.elemType(v)).toList();
      if (!a.equals(b)) {
        return "ONNX Runtime's optimizer changed the " + (inputs ? "inputs" : "outputs") + " of " + name + " from "
            + a + " to " + b + "; the converted graph must keep them. Please report this model.";
      }
    }
    return null;
  }

  static String qualified(NodeProto node) {
    String domain = node.getDomain();
    return domain.isEmpty() || domain.equals("ai.onnx") ? node.getOpType() : domain + "." + node.getOpType();
  }
}
