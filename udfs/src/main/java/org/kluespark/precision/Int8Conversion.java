package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnxruntime.OrtEnvironment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link PrecisionConversion}'s int8 step, on one of two paths.
 *
 * <p>Fuse first, when ONNX Runtime's optimizer finds attention in the float32 graph (the converter's BERT and
 * RoBERTa graphs): the float32 graph fused for the CPU provider ({@link OrtFusion#fuseForCpu}: Attention,
 * EmbedLayerNormalization, SkipLayerNormalization, BiasGelu, the pooler's FusedGemm), its remaining MatMuls
 * quantized by the {@link Int8Quantizer} (the activation probe runs on the fused float32 graph, same tensors),
 * each Attention written as DynamicQuantizeLinear + QAttention ({@link AttentionQuantizer}), and BiasGelu's bias
 * folded into the int8 FFN MatMul before it ({@link GeluBiasFolding}). ONNX Runtime's
 * attention fusion needs float32 Q/K/V MatMuls, so quantizing first (the other path) leaves the attention
 * unfused: a klue-bert-base bundle came out with DynamicQuantizeMatMul=72, FusedMatMul=12, Gelu=12,
 * SkipLayerNormalization=24 and no Attention or EmbedLayerNormalization.
 *
 * <p>Quantize first, when no Attention fuses (the built-in {@code minilm}, a torch export whose attention ONNX
 * Runtime does not match), or with {@link Int8OpForm#MATMUL_INTEGER} (standard ops asked for): the {@link
 * Int8Quantizer} on the float32 graph, then the int8 graph fused for the CPU ({@link OrtFusion#fuseForCpu}, then
 * {@link SkipLayerNormFusion} where ONNX Runtime's own residual fusion did not fire). Fusing such a graph first
 * would gain no fused attention, and its int8 figures ({@code Int8FidelityTest}) were measured on this path.
 *
 * <p>Measured with ONNX Runtime 1.28 on this 2-core AMD EPYC (AVX2+FMA, no VNNI), the synthetic klue-bert-base
 * checkpoint bundle, the first 1,000 distinct KLUE STS + NLI dev sentences, length-sorted batches of 32, 1 intra-op
 * thread, session level ALL, the two graphs alternated A/B/A/B, kernel time = the calling thread's CPU seconds
 * (load 2-3 from other agents; {@code QAttentionMeasurement}). Quantize-first 12.91 / 12.10 / 12.91 / 12.06 s,
 * fuse-first with QAttention 12.46 / 12.53 / 12.37 / 11.99 s: the same within the noise (-1.3% on the means).
 * Texts of ~128 tokens (5 sentences joined, 200 texts, 3 rounds), where attention weighs more: 12.26 / 11.99 /
 * 12.13 s against 11.75 / 11.77 / 11.52 s, QAttention 3-4% faster. Mean-pooled cosine to float32: 0.99985 / min
 * 0.99978 (QAttention) against 0.99985 / 0.99979; the two int8 graphs agree to 1e-5 (both quantize the Q/K/V
 * input once per tensor per call, both weight per output column). ONNX Runtime's profiler over the 1,000
 * sentences: QAttention 3,664 ms against 3,550 ms for what it replaces (Q/K/V DynamicQuantizeMatMul about 2,480,
 * Transpose 353, FusedMatMul 267, MatMul 259, Softmax 116, Add 64: its per-head Q/K/V GEMMs are narrower); the
 * first fuse-first graph lost 4% on BiasGelu (1,136 ms against Gelu's 556) until {@link GeluBiasFolding}.
 * MiniLM forced through fuse-first: the same fused ops (no Attention), the same vectors (mean 0.99629 / min
 * 0.98304 on the same 1,000 sentences) and the same time (4.54-4.76 s against 4.56-4.62 s), so graphs without a
 * fused Attention keep the quantize-first path. Conversion of klue-bert-base: 7-10 s fuse-first against 3-4 s
 * (ONNX Runtime loads the float32 graph to fuse it).
 */
final class Int8Conversion {
  private static final String PLAIN_INT8 = "int8 ";
  private static final String FUSED_POOLER = "pooler (FusedGemm: ONNX Runtime fused its Gemm + Tanh)";

  private Int8Conversion() {}

  static PrecisionConversion.Result convert(ModelProto model, PrecisionOptions options, String modelName) {
    return convert(model, options.int8(), modelName);
  }

  /** As {@link #convert(ModelProto, PrecisionOptions, String)} with every quantizer option. */
  static PrecisionConversion.Result convert(ModelProto model, Int8Options int8, String modelName) {
    if (int8.opForm() == Int8OpForm.DYNAMIC_QUANTIZE_MATMUL) {
      ModelProto fusedFloat = OrtFusion.fuseForCpu(model, modelName);
      if (AttentionQuantizer.quantizable(fusedFloat) > 0) {
        return fuseFirst(model, fusedFloat, int8);
      }
    }
    return quantizeFirst(model, int8, modelName);
  }

  /** The fuse-first path, whatever the graph (package-private: measurements compare both paths). */
  static PrecisionConversion.Result fuseFirst(ModelProto model, Int8Options int8, String modelName) {
    return fuseFirst(model, OrtFusion.fuseForCpu(model, modelName), int8);
  }

  private static PrecisionConversion.Result fuseFirst(ModelProto model, ModelProto fusedFloat, Int8Options int8) {
    Map<String, ActivationOutlierProbe.Outliers> outliers = new HashMap<>();
    QuantizedModel quantized = Int8Quantizer.quantize(fusedFloat, int8, outliers); // one probe run serves both
    AttentionQuantizer.Result attention = AttentionQuantizer.quantize(quantized.model(), outliers, model, int8);
    int[] skipFused = {0};
    int[] geluBiases = {0};
    ModelProto fused = GeluBiasFolding.apply(SkipLayerNormFusion.apply(attention.model(), skipFused), geluBiases);
    Map<String, String> parameters = new LinkedHashMap<>(quantized.summary());
    // what stays float32 outside the quantizer's MatMuls: the pooler ONNX Runtime fused into FusedGemm (the
    // quantizer keeps it float32 on the other path too) and any Attention kept float32
    List<String> pooler = fusedFloat.getGraph().getNodeList().stream()
        .filter(node -> node.getOpType().equals("FusedGemm")).map(NodeProto::getName).toList();
    List<String> reasons = new ArrayList<>();
    if (!quantized.summary().getOrDefault("float32_reasons", "").isEmpty()) {
      reasons.add(quantized.summary().get("float32_reasons"));
    }
    pooler.forEach(name -> reasons.add(name + ": " + FUSED_POOLER));
    reasons.addAll(attention.kept());
    parameters.put("float32_matmuls", Integer.toString(
        Integer.parseInt(quantized.summary().getOrDefault("float32_matmuls", "0")) + pooler.size()));
    parameters.put("float32_reasons", String.join("; ", reasons));
    parameters.put("quantized_attentions", attention.quantized() + " of " + attention.total());
    parameters.put("graph_fusion", "ONNX Runtime " + OrtEnvironment.getEnvironment().getVersion()
        + " EXTENDED (CPU) on the float32 graph, then its MatMuls quantized and " + attention.quantized() + " of "
        + attention.total() + " Attention written as DynamicQuantizeLinear + QAttention"
        + (skipFused[0] == 0 ? "" : ", then " + skipFused[0] + " residual Add + LayerNormalization written as "
        + "SkipLayerNormalization")
        + (geluBiases[0] == 0 ? "" : ", " + geluBiases[0] + " BiasGelu biases folded into DynamicQuantizeMatMul"));
    parameters.put("fused_ops", fusedOps(fused).toString().replaceAll("[{}]", ""));
    List<String> decisions = decisions(quantized);
    decisions.add(Math.min(1, decisions.size()), "int8 attention: " + attention.quantized() + " of " + attention.total()
        + " fused Attention nodes written as DynamicQuantizeLinear + QAttention (" + int8.granularity().label()
        + " weights)");
    attention.report().stream().filter(line -> !line.startsWith(PLAIN_INT8) || line.contains("scaled"))
        .forEach(decisions::add);
    pooler.forEach(name -> decisions.add(1, "float32 " + name + ": " + FUSED_POOLER));
    decisions.add("fused for the CPU: " + parameters.get("fused_ops"));
    return new PrecisionConversion.Result(fused, parameters, decisions);
  }

  /** The quantize-first path, whatever the graph (package-private: tests compare both paths). */
  static PrecisionConversion.Result quantizeFirst(ModelProto model, Int8Options int8, String modelName) {
    QuantizedModel quantized = Int8Quantizer.quantize(model, int8);
    int[] skipFused = {0};
    ModelProto fused = SkipLayerNormFusion.apply(OrtFusion.fuseForCpu(quantized.model(), modelName), skipFused);
    Map<String, String> parameters = new LinkedHashMap<>(quantized.summary());
    parameters.put("quantized_attentions", "0 (ONNX Runtime fuses no Attention in this graph)");
    parameters.put("graph_fusion", "ONNX Runtime " + OrtEnvironment.getEnvironment().getVersion()
        + " EXTENDED (CPU) on the int8 graph, then " + skipFused[0] + " residual Add + LayerNormalization written as "
        + "SkipLayerNormalization");
    parameters.put("fused_ops", fusedOps(fused).toString().replaceAll("[{}]", ""));
    List<String> decisions = decisions(quantized);
    decisions.add("fused for the CPU: " + parameters.get("fused_ops"));
    return new PrecisionConversion.Result(fused, parameters, decisions);
  }

  /**
   * The quantizer's summary and every decision that differs from "int8, whole": a 24-layer model has ~150 plain
   * int8 lines, which would bury the few that matter.
   */
  private static List<String> decisions(QuantizedModel quantized) {
    return new ArrayList<>(quantized.report().stream()
        .filter(line -> !line.startsWith(PLAIN_INT8) || line.contains("float32"))
        .toList());
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
