package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnxruntime.OrtEnvironment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link PrecisionConversion}'s int8 step: the {@link Int8Quantizer} with the bundle writer's options, then the
 * int8 graph fused for the CPU provider that runs it ({@link OrtFusion#fuseForCpu}, then
 * {@link SkipLayerNormFusion} where ONNX Runtime's own residual fusion did not fire).
 */
final class Int8Conversion {
  private static final String PLAIN_INT8 = "int8 ";

  private Int8Conversion() {}

  static PrecisionConversion.Result convert(ModelProto model, PrecisionOptions options, String modelName) {
    Int8Options int8 = Int8Options.defaults()
        .withGranularity(options.perTensor() ? WeightGranularity.PER_TENSOR : WeightGranularity.PER_CHANNEL);
    QuantizedModel quantized = Int8Quantizer.quantize(model, int8);
    int[] skipFused = {0};
    ModelProto fused = SkipLayerNormFusion.apply(OrtFusion.fuseForCpu(quantized.model(), modelName), skipFused);
    Map<String, String> parameters = new LinkedHashMap<>(quantized.summary());
    parameters.put("graph_fusion", "ONNX Runtime " + OrtEnvironment.getEnvironment().getVersion()
        + " EXTENDED (CPU) on the int8 graph, then " + skipFused[0] + " residual Add + LayerNormalization written as "
        + "SkipLayerNormalization");
    parameters.put("fused_ops", fusedOps(fused).toString().replaceAll("[{}]", ""));
    // The CLI prints the summary and every decision that differs from "int8, whole": a 24-layer model has ~150
    // plain int8 lines, which would bury the few that matter.
    List<String> decisions = new ArrayList<>(quantized.report().stream()
        .filter(line -> !line.startsWith(PLAIN_INT8) || line.contains("float32"))
        .toList());
    decisions.add("fused for the CPU: " + parameters.get("fused_ops"));
    return new PrecisionConversion.Result(fused, parameters, decisions);
  }

  /** The fused ({@code com.microsoft}) ops of the written graph, by count. */
  static Map<String, Integer> fusedOps(ModelProto model) {
    Map<String, Integer> ops = new TreeMap<>();
    for (NodeProto node : model.getGraph().getNodeList()) {
      if (node.getDomain().equals(Int8Quantizer.MS_DOMAIN)) {
        ops.merge(node.getOpType(), 1, Integer::sum);
      }
    }
    return ops;
  }
}
