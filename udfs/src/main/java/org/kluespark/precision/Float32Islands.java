package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which nodes of a float32 graph keep computing in float32 when the rest goes to half:
 * <ul>
 *   <li>not the fused ops of {@link #HALF_FUSED_OPS}: they take float16 and accumulate in float32 inside;</li>
 *   <li>but, by default ({@link ResidualPrecision#FLOAT32}), the residual stream: its layer norms
 *       ({@link #RESIDUAL_NORM_OPS}) and the unfused sums that feed only them, so it is never rounded to half;</li>
 *   <li>numerically sensitive ops left unfused: reductions, normalisations, exponentials and powers (half's 10-bit
 *       mantissa and 65504 range lose sums of squares and exp), plus the ops ONNX Runtime's own float16
 *       converter blocks ({@code Range}, {@code CumSum}, {@code Resize}, {@code TopK}...), and any op outside
 *       the default ONNX domain, whose float16 support we cannot know;</li>
 *   <li>a layer norm written out as {@code ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add}
 *       (torch.jit exports), as a whole, so it is one float32 island like {@code LayerNormalization};</li>
 *   <li>the mask path: float tensors computed only from integer inputs and scalar constants (the additive
 *       attention bias {@code (1 - mask) · -3.4e38}: {@code [batch, seq]} small, and far outside half's range),
 *       and the ops that add it to the scores when they feed only float32 ops (the Softmax), so masked keys
 *       get weight exactly zero as in float32.</li>
 * </ul>
 *
 * <p>The pooler ({@code Gather, Gemm, Tanh} on the [CLS] row) is not an island: with the residual stream in half,
 * keeping it and the final layer norm float32 moved synthetic klue-bert-base's CPU figures vs float64 from
 * 1.02e-2 / 1.21e-2 (last_hidden_state / pooler) to 1.02e-2 / 1.19e-2; the error builds up over the layers
 * before them, which is what the float32 residual stream stops (see Float16ParityTest).
 */
final class Float32Islands {
  /**
   * Fused ops ({@link OrtFusion}) that compute in half: ONNX Runtime's float16 kernels for them (CUDA's) accumulate
   * the layer norm and softmax in float32 inside, which is why its own float16 converter puts no casts around
   * them. Named as {@code domain.op}; LayerNormalization and SimplifiedLayerNormalization are default-domain
   * (ONNX 17 / ONNX Runtime's own) with the same float32 accumulation. Their integer inputs (ids, mask_index)
   * stay as they are.
   */
  static final Set<String> HALF_FUSED_OPS = Set.of("com.microsoft.Attention", "com.microsoft.MultiHeadAttention",
      "com.microsoft.SkipLayerNormalization", "com.microsoft.SkipSimplifiedLayerNormalization",
      "com.microsoft.EmbedLayerNormalization", "com.microsoft.BiasGelu", "com.microsoft.FastGelu",
      "com.microsoft.Gelu", "com.microsoft.QuickGelu", "com.microsoft.FusedMatMul", "LayerNormalization",
      "SimplifiedLayerNormalization");
  /** Kept float32 by op type. */
  static final Set<String> FLOAT32_OPS = Set.of("GroupNormalization", "InstanceNormalization", "BatchNormalization",
      "Softmax", "LogSoftmax", "ReduceMean", "ReduceSum", "ReduceSumSquare", "ReduceL2", "ReduceLogSumExp", "ReduceProd",
      "Pow", "Sqrt", "Reciprocal", "Exp", "Log",
      "Range", "CumSum", "Resize", "Upsample", "TopK", "NonMaxSuppression", "RoiAlign", "Min", "Max");
  /**
   * The layer norms on the residual stream, kept float32 when the residual stream is ({@link
   * ResidualPrecision#FLOAT32}): their outputs are the residual stream of a post-LN encoder.
   */
  static final Set<String> RESIDUAL_NORM_OPS = Set.of("com.microsoft.SkipLayerNormalization",
      "com.microsoft.SkipSimplifiedLayerNormalization", "com.microsoft.EmbedLayerNormalization", "LayerNormalization",
      "SimplifiedLayerNormalization");
  /** A float constant at most this large on a path from integer inputs is a scalar-like mask constant. */
  private static final long SMALL_CONSTANT = 16;

  /** @param nodes float32-island node indices; @param maskTensors float tensors of the mask path */
  record Result(Set<Integer> nodes, Set<String> maskTensors, int layerNormPatterns) {}

  private final List<NodeProto> nodes;
  private final Map<String, Integer> types;
  private final Map<String, Long> constantSizes;
  private final Set<String> graphOutputs;
  private final boolean float32Residual;
  private final Map<String, List<Integer>> consumers = new HashMap<>();

  private Float32Islands(List<NodeProto> nodes, Map<String, Integer> types, Map<String, Long> constantSizes,
      Set<String> graphOutputs, boolean float32Residual) {
    this.nodes = nodes;
    this.float32Residual = float32Residual;
    this.types = types;
    this.constantSizes = constantSizes;
    this.graphOutputs = graphOutputs;
    for (int i = 0; i < nodes.size(); i++) {
      for (String input : nodes.get(i).getInputList()) {
        consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(i);
      }
    }
  }

  /**
   * @param nodes in topological order; {@code Constant} nodes are treated as constants, never as islands
   * @param constantSizes element counts of float initializers and float {@code Constant} outputs
   * @param float32Residual the residual stream stays float32: its layer norms ({@link #RESIDUAL_NORM_OPS}) and
   *     the Adds of two activations that feed only float32 islands (the residual sums left unfused)
   */
  static Result find(List<NodeProto> nodes, Map<String, Integer> types, Map<String, Long> constantSizes,
      Set<String> graphOutputs, boolean float32Residual) {
    return new Float32Islands(nodes, types, constantSizes, graphOutputs, float32Residual).find();
  }

  private Result find() {
    Set<Integer> island = new HashSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      NodeProto node = nodes.get(i);
      boolean foreignDomain = !node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx");
      boolean halfFused = HALF_FUSED_OPS.contains(OrtFusion.qualified(node));
      boolean residualNorm = float32Residual && RESIDUAL_NORM_OPS.contains(OrtFusion.qualified(node));
      if (isFloatNode(node) && (residualNorm
          || !halfFused && (FLOAT32_OPS.contains(node.getOpType()) || foreignDomain))) {
        island.add(i);
      }
    }
    int patterns = 0;
    for (int i = 0; i < nodes.size(); i++) {
      List<Integer> layerNorm = decomposedLayerNorm(i);
      if (!layerNorm.isEmpty()) {
        island.addAll(layerNorm);
        patterns++;
      }
    }
    if (float32Residual) {
      addResidualSums(island);
    }
    Set<String> mask = new HashSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      NodeProto node = nodes.get(i);
      if (!node.getOpType().equals("Constant") && producesFloat(node) && onMaskPath(node, mask)) {
        island.add(i);
        node.getOutputList().stream().filter(this::isFloat).forEach(mask::add);
      }
    }
    // The op adding the mask bias to the scores joins the island when all it feeds is float32 already.
    boolean changed = true;
    while (changed) {
      changed = false;
      for (int i = 0; i < nodes.size(); i++) {
        NodeProto node = nodes.get(i);
        if (!island.contains(i) && node.getInputList().stream().anyMatch(mask::contains)
            && feedsOnly(node, island)) {
          island.add(i);
          changed = true;
        }
      }
    }
    return new Result(island, mask, patterns);
  }

  /**
   * Unfused residual sums: an {@code Add} of two activations (no constant input: a bias Add stays half) whose
   * outputs feed only float32 islands, from the last node backwards so that chains of sums join too.
   */
  private void addResidualSums(Set<Integer> island) {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      NodeProto node = nodes.get(i);
      if (node.getOpType().equals("Add") && producesFloat(node) && !hasConstantInput(node) && !island.contains(i)
          && !feedsNothing(node) && feedsOnly(node, island)) {
        island.add(i);
      }
    }
  }

  private boolean feedsNothing(NodeProto node) {
    return node.getOutputList().stream().allMatch(output -> consumers.getOrDefault(output, List.of()).isEmpty());
  }

  private boolean onMaskPath(NodeProto node, Set<String> mask) {
    for (String input : node.getInputList()) {
      if (input.isEmpty() || !isFloat(input) || mask.contains(input)) {
        continue;
      }
      Long size = constantSizes.get(input);
      if (size == null || size > SMALL_CONSTANT) {
        return false;
      }
    }
    return true;
  }

  private boolean feedsOnly(NodeProto node, Set<Integer> island) {
    for (String output : node.getOutputList()) {
      if (graphOutputs.contains(output)) {
        return false;
      }
      for (int consumer : consumers.getOrDefault(output, List.of())) {
        if (!island.contains(consumer)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * The nodes of {@code mean = ReduceMean(x); d = Sub(x, mean); v = ReduceMean(Pow(d, 2)); y = Div(d,
   * Sqrt(Add(v, eps)))}, then an optional {@code Mul(y, gamma)} and {@code Add(., beta)} with constant
   * gamma and beta, starting at node {@code start}; empty when the pattern is not there.
   */
  private List<Integer> decomposedLayerNorm(int start) {
    NodeProto mean = nodes.get(start);
    if (!mean.getOpType().equals("ReduceMean") || !isFloatNode(mean)) {
      return List.of();
    }
    String x = mean.getInput(0);
    List<Integer> found = new ArrayList<>(List.of(start));
    Integer sub = single(mean.getOutput(0), "Sub");
    if (sub == null || !nodes.get(sub).getInput(0).equals(x)) {
      return List.of();
    }
    found.add(sub);
    String d = nodes.get(sub).getOutput(0);
    Integer pow = consumerOf(d, "Pow");
    Integer div = consumerOf(d, "Div");
    if (pow == null || div == null) {
      return List.of();
    }
    found.add(pow);
    Integer variance = single(nodes.get(pow).getOutput(0), "ReduceMean");
    Integer addEps = variance == null ? null : single(nodes.get(variance).getOutput(0), "Add");
    Integer sqrt = addEps == null ? null : single(nodes.get(addEps).getOutput(0), "Sqrt");
    if (sqrt == null || !nodes.get(div).getInput(1).equals(nodes.get(sqrt).getOutput(0))) {
      return List.of();
    }
    found.addAll(List.of(variance, addEps, sqrt, div));
    Integer scale = single(nodes.get(div).getOutput(0), "Mul");
    if (scale != null && hasConstantInput(nodes.get(scale))) {
      found.add(scale);
      Integer shift = single(nodes.get(scale).getOutput(0), "Add");
      if (shift != null && hasConstantInput(nodes.get(shift))) {
        found.add(shift);
      }
    }
    return found;
  }

  /** The only consumer of {@code tensor}, if it has op type {@code op}. */
  private Integer single(String tensor, String op) {
    List<Integer> users = consumers.getOrDefault(tensor, List.of());
    return users.size() == 1 && nodes.get(users.get(0)).getOpType().equals(op) && !graphOutputs.contains(tensor)
        ? users.get(0) : null;
  }

  private Integer consumerOf(String tensor, String op) {
    for (int user : consumers.getOrDefault(tensor, List.of())) {
      if (nodes.get(user).getOpType().equals(op)) {
        return user;
      }
    }
    return null;
  }

  private boolean hasConstantInput(NodeProto node) {
    return node.getInputList().stream().anyMatch(constantSizes::containsKey);
  }

  private boolean isFloatNode(NodeProto node) {
    return node.getInputList().stream().anyMatch(this::isFloat) || producesFloat(node);
  }

  private boolean producesFloat(NodeProto node) {
    return node.getOutputList().stream().anyMatch(this::isFloat);
  }

  private boolean isFloat(String tensor) {
    return types.getOrDefault(tensor, TensorTypes.UNKNOWN) == DataType.FLOAT_VALUE;
  }
}
