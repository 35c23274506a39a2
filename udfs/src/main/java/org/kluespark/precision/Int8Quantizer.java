package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.kluespark.model.GraphPrecision;

/**
 * Dynamic int8 quantization of an ONNX encoder graph, in Java: every MatMul/Gemm whose weight is a constant
 * float initializer (directly, or behind a {@code Cast} from a float16 initializer as {@code convert --fp16}
 * writes it; Gemm's {@code transB} and {@code alpha} folded in) gets symmetric int8 weights (per output
 * channel by default), and its activation is quantized to uint8 on every call (dynamic, per tensor).
 * Everything else stays float32: embedding Gathers, LayerNorm, Softmax, GELU, attention's activation ×
 * activation MatMuls (they have no constant weight), the pooler (a weight whose product feeds {@code Tanh}),
 * and any MatMul matched by {@link Int8Options#keepFloat()}. Graph inputs and outputs do not change.
 *
 * <p>Op form, measured with ONNX Runtime 1.28 on this 2-core AMD EPYC (AVX2+FMA, no VNNI), MiniLM, all 7,038
 * KLUE STS+NLI dev sentences, length-sorted batches of 32, 1 intra-op thread, one run each on a loaded shared
 * machine (load 5-11): {@code DynamicQuantizeMatMul} written directly 111.8 sentences/s, the standard
 * {@code DynamicQuantizeLinear + MatMulInteger + Cast + Mul} form (what ONNX Runtime's Python quantizer writes)
 * 91.4, float32 36.4, langchain4j's int8 (Python quantizer) 103.6 — identical vectors for both forms. The
 * direct contrib op wins (the bias Add is folded in and no fusion pass is needed), so it is the default; the
 * standard form stays available for runtimes without {@code com.microsoft} ops. {@code MatMulIntegerToFloat}
 * needs the activation quantized by a separate node first, which is what the standard form fuses to.
 *
 * <p>Reduce range: not needed here. 8-bit weights give mean cosine 0.9858 against 7-bit's 0.9812 (1,000 KLUE
 * sentences, everything quantized), and a worst case (all activations 255, all weights 127, 256 inputs) comes
 * out exact: ONNX Runtime's AVX2 u8s8 kernel does not saturate ({@code Int8QuantizerTest}).
 *
 * <p>Input channels that would set the per-call activation scale are dealt with before quantizing. Those whose
 * weight row is an outlier ({@link Int8Options#DEFAULT_OUTLIER_ROW_RATIO}: MiniLM's FFN output dense of layers
 * 0-2) are masked out of the dynamic quantization and multiplied in float32 beside the int8 part. Those whose
 * activation peaks far above the others on a probe of random tokens ({@link ActivationOutlierProbe}: MiniLM's
 * residual-stream channel 99 in every Q/K/V and FFN input) are scaled down to the probe ratio's level by one
 * Mul on the activation (shared by Q, K and V), their weight rows scaled up by as much (exact in float32; the
 * per-channel weight scales absorb it), or, with {@code scaleOutlierChannels=false}, split off to float32 too.
 * all-MiniLM-L6-v2, all 7,038 KLUE STS + NLI dev sentences, vs float32, mean cosine / min / STS pair Spearman
 * rho: no probe 0.9929 / 0.9768 / 0.9877; probe (ratio 4) scaled 0.9966 / 0.9866 / 0.9944 at the same speed
 * (kernel time 5.0-5.8 s against 5.0-6.0 s without the probe, 1,038 sentences, 1 thread); probe split to float32
 * 0.9973 / 0.9919 / 0.9953, 10% slower (5.7-6.8 s: the extra Gather, MatMul and Add). Scaling to the median
 * instead of the ratio's level costs the weights too much (rho 0.9886); to twice the median 0.9941. Weight
 * quantization alone (float activations) costs almost nothing: rho 0.9995.
 *
 * <p>Tried and dropped: packing Q, K and V into one DynamicQuantizeMatMul + Split (the activation quantized
 * once): vectors identical, no measurable gain (5.6-5.7 s against 5.8-6.2 s of kernel time on 1,038 sentences).
 */
public final class Int8Quantizer {
  static final String MS_DOMAIN = "com.microsoft";
  private static final String SUFFIX = "_int8";
  private static final String OUTLIER_REASON = "outlier input row";

  private Int8Quantizer() {}

  public static QuantizedModel quantize(ModelProto model, Int8Options options) {
    return quantize(model, options, new HashMap<>());
  }

  /**
   * As {@link #quantize(ModelProto, Int8Options)}; {@code probed} receives the probe's outlier channels of every
   * activation it looked at, the inputs of fused {@code Attention} nodes included, so the {@link
   * AttentionQuantizer} needs no second probe run.
   */
  static QuantizedModel quantize(ModelProto model, Int8Options options,
      Map<String, ActivationOutlierProbe.Outliers> probed) {
    return new Run(model, options).quantize(probed);
  }

  /** A MatMul/Gemm with a constant weight, as {@code [K, N]} float32 values. */
  private record Candidate(NodeProto node, String weightName, float[] weight, int rows, int cols,
      float alpha, float[] bias, String keepReason, int[] floatRows, float[] channelScales) {}

  private static final class Run {
    private final ModelProto model;
    private final GraphProto graph;
    private final Int8Options options;
    private final Map<String, TensorProto> initializers = new HashMap<>();
    private final Map<String, NodeProto> producers = new HashMap<>();
    private final Map<String, List<NodeProto>> consumers = new HashMap<>();
    private final Set<String> graphOutputs = new HashSet<>();
    private final UniqueNames usedNames = new UniqueNames();
    /** Activation tensor → its outlier channels on the probe ({@link ActivationOutlierProbe}). */
    private Map<String, ActivationOutlierProbe.Outliers> activationOutliers = Map.of();

    Run(ModelProto model, Int8Options options) {
      this.model = model;
      this.graph = model.getGraph();
      this.options = options;
      for (TensorProto tensor : graph.getInitializerList()) {
        initializers.put(tensor.getName(), tensor);
        usedNames.add(tensor.getName());
      }
      for (NodeProto node : graph.getNodeList()) {
        for (String output : node.getOutputList()) {
          producers.put(output, node);
          usedNames.add(output);
        }
        for (String input : node.getInputList()) {
          consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(node);
        }
      }
      for (ValueInfoProto output : graph.getOutputList()) {
        graphOutputs.add(output.getName());
      }
      graph.getInputList().forEach(input -> usedNames.add(input.getName()));
    }

    QuantizedModel quantize(Map<String, ActivationOutlierProbe.Outliers> probed) {
      refuseQuantizedOrHalf();
      List<Candidate> candidates = new ArrayList<>();
      List<String> report = new ArrayList<>();
      if (options.activationOutlierRatio() > 0) {
        activationOutliers = ActivationOutlierProbe.find(model, quantizableActivations(),
            options.activationOutlierRatio(), report);
        probed.putAll(activationOutliers);
      }
      for (NodeProto node : graph.getNodeList()) {
        if (node.getOpType().equals("MatMul") || node.getOpType().equals("Gemm")) {
          Candidate candidate = candidate(node, report);
          if (candidate != null) {
            candidates.add(candidate);
          }
        }
      }
      if (candidates.isEmpty()) {
        throw new QuantizationException("The model has no MatMul or Gemm with a constant float weight "
            + "(an initializer, or a Cast of a float16 initializer): there is nothing to quantize to int8.");
      }
      List<Candidate> quantized = candidates.stream().filter(c -> c.keepReason() == null).toList();
      if (quantized.isEmpty()) {
        throw new QuantizationException("All " + candidates.size() + " MatMul/Gemm nodes with constant weights are "
            + "kept float32 by the options (" + candidates.get(0).keepReason() + ", ...): nothing to quantize.");
      }
      ModelProto result = rewrite(quantized);
      for (Candidate candidate : candidates) {
        if (candidate.keepReason() != null) {
          report.add(0, "float32 " + label(candidate) + ": " + candidate.keepReason());
        }
      }
      for (Candidate candidate : quantized) {
        String scaled = scaledChannels(candidate);
        report.add("int8    " + label(candidate) + (candidate.floatRows().length == 0 ? ""
            : ", input channels " + Arrays.toString(candidate.floatRows()) + " float32 (outliers)")
            + (scaled.isEmpty() ? "" : ", input channels scaled down " + scaled + " (outliers)"));
      }
      List<Candidate> kept = candidates.stream().filter(c -> c.keepReason() != null).toList();
      Map<String, String> summary = summary(quantized, kept);
      report.add(0, "int8 dynamic quantization: " + quantized.size() + " of " + candidates.size()
          + " MatMul/Gemm with constant weights quantized (" + options.granularity().label() + " "
          + (options.reduceRange() ? "7-bit" : "8-bit") + " weights, " + options.opForm().label() + "), "
          + kept.size() + " kept float32");
      return new QuantizedModel(result, summary, report);
    }

    private Map<String, String> summary(List<Candidate> quantizedNodes, List<Candidate> kept) {
      int quantized = quantizedNodes.size();
      Map<String, String> summary = new LinkedHashMap<>();
      summary.put("scheme", "dynamic: int8 symmetric weights, uint8 asymmetric activations quantized per call");
      summary.put("weight_granularity", options.granularity().label());
      summary.put("reduce_range", Boolean.toString(options.reduceRange()));
      summary.put("op_form", options.opForm().label());
      summary.put("quantized_matmuls", Integer.toString(quantized));
      summary.put("float32_matmuls", Integer.toString(kept.size()));
      summary.put("float32_reasons", kept.stream().map(c -> c.node().getName() + ": " + c.keepReason())
          .collect(Collectors.joining("; ")));
      summary.put("outlier_row_ratio", Double.toString(options.outlierRowRatio()));
      summary.put("activation_outlier_ratio", Double.toString(options.activationOutlierRatio()));
      summary.put("activation_probe", options.activationOutlierRatio() == 0 ? "off"
          : ActivationOutlierProbe.ROWS + " x " + ActivationOutlierProbe.TOKENS + " random tokens, seed 42");
      summary.put("float32_input_channels", quantizedNodes.stream().filter(c -> c.floatRows().length > 0)
          .map(c -> c.node().getName() + ": " + Arrays.toString(c.floatRows())).collect(Collectors.joining("; ")));
      summary.put("scaled_input_channels", quantizedNodes.stream().filter(c -> !scaledChannels(c).isEmpty())
          .map(c -> c.node().getName() + ": " + scaledChannels(c)).collect(Collectors.joining("; ")));
      summary.put("outlier_channels", options.scaleOutlierChannels() ? "scaled" : "float32");
      summary.put("keep_float_patterns", options.keepFloat().stream().map(Pattern::pattern)
          .collect(Collectors.joining(" ")));
      return summary;
    }

    private static String scaledChannels(Candidate c) {
      return Int8Quantizer.scaledChannels(c.channelScales());
    }

    private static String label(Candidate c) {
      return c.node().getName() + " (" + c.node().getOpType() + " " + c.weightName() + " " + c.rows() + "x"
          + c.cols() + ")";
    }

    private void refuseQuantizedOrHalf() {
      for (NodeProto node : graph.getNodeList()) {
        if (GraphPrecision.QUANTIZATION_OPS.contains(node.getOpType())) {
          throw new QuantizationException("The model is already int8: it has a " + node.getOpType() + " node ("
              + node.getName() + "). Quantize the float32 model instead.");
        }
      }
      for (NodeProto node : graph.getNodeList()) {
        if (!node.getOpType().equals("MatMul") && !node.getOpType().equals("Gemm")) {
          continue;
        }
        for (String input : node.getInputList()) {
          TensorProto tensor = initializers.get(input);
          NodeProto producer = producers.get(input);
          boolean halfInitializer = tensor != null && tensor.getDataType() == TensorProto.DataType.FLOAT16_VALUE;
          boolean halfCast = producer != null && producer.getOpType().equals("Cast")
              && intAttribute(producer, "to", 0) == TensorProto.DataType.FLOAT16_VALUE;
          if (halfInitializer || halfCast) {
            throw new QuantizationException("The model is already fp16: " + node.getOpType() + " " + node.getName()
                + " computes in float16 (input " + input + "). int8 quantization needs the float32 model; "
                + "convert it again with --precision int8.");
          }
        }
      }
    }

    /** The node's constant weight as [K, N] float32, or null (with a report line) when it has none. */
    private Candidate candidate(NodeProto node, List<String> report) {
      boolean gemm = node.getOpType().equals("Gemm");
      if (node.getInputCount() < 2) {
        return null;
      }
      String weightName = constantName(node.getInput(1));
      if (weightName == null) {
        return null; // activation x activation (attention scores, context): stays float32 by design
      }
      TensorProto tensor = initializers.get(weightName);
      if (tensor.getDimsCount() != 2) {
        report.add("float32 " + node.getName() + ": weight " + weightName + " has rank " + tensor.getDimsCount()
            + ", only 2-D weights are quantized");
        return null;
      }
      if (gemm && intAttribute(node, "transA", 0) != 0) {
        report.add("float32 " + node.getName() + ": Gemm with transA=1 is not quantized");
        return null;
      }
      if (constantName(node.getInput(0)) != null) {
        return null; // both operands constant: ONNX Runtime folds it anyway
      }
      if (OnnxTensors.isExternal(tensor)) {
        throw new QuantizationException("Weight " + weightName + " of " + node.getName() + " is stored in external "
            + "data; read the model with OnnxModelReader.read(modelFile), which loads external data, before "
            + "quantizing.");
      }
      int rows = (int) tensor.getDims(0);
      int cols = (int) tensor.getDims(1);
      float[] weight = OnnxTensors.floats(tensor);
      if (gemm && intAttribute(node, "transB", 0) != 0) {
        weight = transpose(weight, rows, cols);
        int swap = rows;
        rows = cols;
        cols = swap;
      }
      float alpha = gemm ? floatAttribute(node, "alpha", 1f) : 1f;
      float[] bias = null;
      if (gemm && node.getInputCount() > 2 && !node.getInput(2).isEmpty()) {
        String biasName = constantName(node.getInput(2));
        TensorProto biasTensor = biasName == null ? null : initializers.get(biasName);
        if (biasTensor == null || OnnxTensors.elementCount(biasTensor) != cols || OnnxTensors.isExternal(biasTensor)) {
          report.add("float32 " + node.getName() + ": Gemm bias C is not a constant vector of " + cols + " values");
          return null;
        }
        bias = OnnxTensors.floats(biasTensor);
        float beta = floatAttribute(node, "beta", 1f);
        for (int i = 0; i < bias.length; i++) {
          bias[i] *= beta;
        }
      }
      String keepReason = keepReason(node, weightName, weight, rows, cols);
      int[] floatRows = new int[0];
      if (keepReason != null && keepReason.startsWith(OUTLIER_REASON) && options.splitOutlierRows()) {
        floatRows = WeightQuantizer.outlierRows(weight, rows, cols, Int8Options.SPLIT_ROW_RATIO);
        keepReason = null;
      }
      ActivationOutlierProbe.Outliers outliers = activationOutliers.get(node.getInput(0));
      float[] channelScales = null;
      if (keepReason == null && outliers != null) {
        if (options.scaleOutlierChannels()) {
          channelScales = channelScales(outliers, rows, floatRows);
        } else {
          int inputRows = rows;
          floatRows = java.util.stream.IntStream.concat(Arrays.stream(floatRows), Arrays.stream(outliers.channels()))
              .filter(c -> c < inputRows).distinct().sorted().toArray();
        }
      }
      return new Candidate(node, weightName, weight, rows, cols, alpha, bias, keepReason, floatRows, channelScales);
    }

    /**
     * Per input row, what the activation is divided by (and the weight row multiplied by) before quantization:
     * the probe's outlier channels come down to the ratio's level, so they no longer set the per-call scale;
     * rows already multiplied in float32 (the weight rule) are left alone.
     */
    private float[] channelScales(ActivationOutlierProbe.Outliers outliers, int rows, int[] floatRows) {
      return Int8Quantizer.channelScales(outliers, rows, floatRows, options.activationOutlierRatio());
    }

    /**
     * What the probe looks at: the inputs of the MatMul/Gemm with a constant weight, and of the fused Attention
     * nodes (for {@link AttentionQuantizer}).
     */
    private List<String> quantizableActivations() {
      Set<String> activations = new java.util.LinkedHashSet<>();
      for (NodeProto node : graph.getNodeList()) {
        boolean weighted = node.getOpType().equals("MatMul") || node.getOpType().equals("Gemm")
            || AttentionQuantizer.isAttention(node);
        if (weighted && node.getInputCount() >= 2 && constantName(node.getInput(1)) != null
            && constantName(node.getInput(0)) == null) {
          activations.add(node.getInput(0));
        }
      }
      return new ArrayList<>(activations);
    }

    private String keepReason(NodeProto node, String weightName, float[] weight, int rows, int cols) {
      for (Pattern pattern : options.keepFloat()) {
        if (pattern.matcher(node.getName()).find() || pattern.matcher(weightName).find()) {
          return "matches keep-float32 pattern '" + pattern.pattern() + "'";
        }
      }
      if (feedsTanh(node.getOutput(0), 2)) {
        return "pooler (its product feeds Tanh)";
      }
      double ratio = WeightQuantizer.outlierRowRatio(weight, rows, cols);
      if (options.outlierRowRatio() > 0 && ratio > options.outlierRowRatio()) {
        return String.format(java.util.Locale.ROOT, OUTLIER_REASON + ": max/rms row norm %.1f > %.1f", ratio,
            options.outlierRowRatio());
      }
      return null;
    }

    /** Whether {@code tensor} reaches a Tanh within {@code depth} nodes (the pooler's bias Add). */
    private boolean feedsTanh(String tensor, int depth) {
      for (NodeProto consumer : consumers.getOrDefault(tensor, List.of())) {
        if (consumer.getOpType().equals("Tanh")) {
          return true;
        }
        if (depth > 1 && consumer.getOpType().equals("Add") && feedsTanh(consumer.getOutput(0), depth - 1)) {
          return true;
        }
      }
      return false;
    }

    /**
     * The float initializer behind {@code tensor}: the initializer itself, or the float16 initializer a
     * {@code Cast(to=FLOAT)} reads. Null when {@code tensor} is computed.
     */
    private String constantName(String tensor) {
      TensorProto initializer = initializers.get(tensor);
      if (initializer != null) {
        return initializer.getDataType() == TensorProto.DataType.FLOAT_VALUE ? tensor : null;
      }
      NodeProto producer = producers.get(tensor);
      if (producer != null && producer.getOpType().equals("Cast")
          && intAttribute(producer, "to", 0) == TensorProto.DataType.FLOAT_VALUE) {
        TensorProto source = initializers.get(producer.getInput(0));
        if (source != null && source.getDataType() == TensorProto.DataType.FLOAT16_VALUE) {
          return source.getName();
        }
      }
      return null;
    }

    private ModelProto rewrite(List<Candidate> quantized) {
      Map<String, Candidate> byNode = new HashMap<>();
      for (Candidate candidate : quantized) {
        byNode.put(candidate.node().getName() + "\u0000" + candidate.node().getOutput(0), candidate);
      }
      GraphProto.Builder out = graph.toBuilder().clearNode();
      Map<String, String[]> quantizedActivations = new HashMap<>(); // MATMUL_INTEGER: activation -> q, scale, zp
      Map<String, String> maskedInputs = new HashMap<>(); // activation + float channels -> masked activation
      Map<String, String> gatheredColumns = new HashMap<>(); // activation + float channels -> those columns
      Set<NodeProto> foldedAdds = new HashSet<>();
      for (NodeProto node : graph.getNodeList()) {
        if (foldedAdds.contains(node)) {
          continue;
        }
        Candidate candidate = byNode.get(node.getName() + "\u0000" + node.getOutput(0));
        if (candidate == null) {
          out.addNode(node);
          continue;
        }
        String base = unique(candidate.node().getName().isEmpty() ? candidate.node().getOutput(0)
            : candidate.node().getName());
        float[] intWeight = candidate.weight();
        if (candidate.channelScales() != null || candidate.floatRows().length > 0) {
          intWeight = intWeight.clone();
        }
        if (candidate.channelScales() != null) {
          for (int r = 0; r < candidate.rows(); r++) {
            for (int c = 0; c < candidate.cols(); c++) {
              intWeight[r * candidate.cols() + c] *= candidate.channelScales()[r];
            }
          }
        }
        if (candidate.floatRows().length > 0) {
          for (int row : candidate.floatRows()) {
            Arrays.fill(intWeight, row * candidate.cols(), (row + 1) * candidate.cols(), 0f);
          }
        }
        WeightQuantizer.Int8Weights w = WeightQuantizer.quantize(intWeight, candidate.rows(),
            candidate.cols(), options.granularity(), options.weightMax());
        float[] scales = w.scales().clone();
        for (int i = 0; i < scales.length; i++) {
          scales[i] *= candidate.alpha();
        }
        long[] scaleDims = scales.length == 1 ? new long[0] : new long[] {scales.length};
        String weightQ = unique(candidate.weightName() + SUFFIX);
        String weightScale = unique(candidate.weightName() + SUFFIX + "_scale");
        out.addInitializer(OnnxTensors.int8Tensor(weightQ, new long[] {candidate.rows(), candidate.cols()}, w.values()));
        out.addInitializer(OnnxTensors.floatTensor(weightScale, scaleDims, scales));
        String bias = null;
        String output = node.getOutput(0);
        if (candidate.bias() != null) {
          bias = unique(candidate.weightName() + SUFFIX + "_bias");
          out.addInitializer(OnnxTensors.floatTensor(bias, new long[] {candidate.cols()}, candidate.bias()));
        } else if (options.opForm() == Int8OpForm.DYNAMIC_QUANTIZE_MATMUL) {
          NodeProto add = foldableBiasAdd(node, candidate.cols());
          if (add != null) {
            foldedAdds.add(add);
            bias = otherInput(add, output);
            output = add.getOutput(0);
          }
        }
        String floatInput = node.getInput(0);
        String input = floatInput;
        String finalOutput = output;
        if (candidate.floatRows().length > 0) {
          output = unique(base + "/int8_part");
        }
        if (candidate.floatRows().length > 0 || candidate.channelScales() != null) {
          // outlier columns are zeroed (float32 part) or scaled down (weight rows scaled up) before the dynamic
          // quantization so they do not set its scale; Q, K and V read the same activation and share one copy
          float[] mask = new float[candidate.rows()];
          Arrays.fill(mask, 1f);
          if (candidate.channelScales() != null) {
            for (int r = 0; r < mask.length; r++) {
              mask[r] = 1f / candidate.channelScales()[r];
            }
          }
          for (int row : candidate.floatRows()) {
            mask[row] = 0f;
          }
          input = maskedInputs.computeIfAbsent(floatInput + Arrays.toString(mask), key -> {
            String maskName = unique(candidate.weightName() + "_outlier_mask");
            out.addInitializer(OnnxTensors.floatTensor(maskName, new long[] {mask.length}, mask));
            String masked = unique(base + "/without_outlier_columns");
            out.addNode(node("", "Mul", base + "/outlier_mask", List.of(floatInput, maskName), List.of(masked)));
            return masked;
          });
        }
        if (options.opForm() == Int8OpForm.DYNAMIC_QUANTIZE_MATMUL) {
          out.addNode(node(MS_DOMAIN, "DynamicQuantizeMatMul", base + "/DynamicQuantizeMatMul",
              bias == null ? List.of(input, weightQ, weightScale) : List.of(input, weightQ, weightScale, "", bias),
              List.of(output)));
        } else {
          String[] q = quantizedActivations.get(input);
          if (q == null) {
            q = new String[] {unique(input + "_quantized"), unique(input + "_scale"), unique(input + "_zero_point")};
            quantizedActivations.put(input, q);
            out.addNode(node("", "DynamicQuantizeLinear", unique(input + "/DynamicQuantizeLinear"), List.of(input),
                List.of(q)));
          }
          String weightZero = unique(candidate.weightName() + SUFFIX + "_zero_point");
          out.addInitializer(OnnxTensors.int8Tensor(weightZero, scaleDims, new byte[scales.length]));
          String integer = unique(base + "/MatMulInteger_output");
          String asFloat = unique(base + "/Cast_output");
          String scale = unique(base + "/scale");
          out.addNode(node("", "MatMulInteger", base + "/MatMulInteger", List.of(q[0], weightQ, q[2], weightZero),
              List.of(integer)));
          out.addNode(node("", "Cast", base + "/Cast", List.of(integer), List.of(asFloat),
              AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT)
                  .setI(TensorProto.DataType.FLOAT_VALUE).build()));
          out.addNode(node("", "Mul", base + "/scale_mul", List.of(q[1], weightScale), List.of(scale)));
          String product = bias == null ? output : unique(base + "/product");
          out.addNode(node("", "Mul", base + "/output_mul", List.of(asFloat, scale), List.of(product)));
          if (bias != null) {
            out.addNode(node("", "Add", base + "/bias_add", List.of(product, bias), List.of(output)));
          }
        }
        if (candidate.floatRows().length > 0) {
          String columns = gatheredColumns.computeIfAbsent(floatInput + Arrays.toString(candidate.floatRows()),
              key -> gatherColumns(out, candidate, base, floatInput));
          addFloatRows(out, candidate, base, columns, output, finalOutput);
        }
      }
      pruneUnused(out);
      ModelProto.Builder result = model.toBuilder().setGraph(out);
      if (options.opForm() == Int8OpForm.DYNAMIC_QUANTIZE_MATMUL
          && result.getOpsetImportList().stream().noneMatch(o -> o.getDomain().equals(MS_DOMAIN))) {
        result.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(MS_DOMAIN).setVersion(1));
      }
      if (options.opForm() == Int8OpForm.MATMUL_INTEGER) {
        for (OperatorSetIdProto.Builder opset : result.getOpsetImportBuilderList()) {
          if (opset.getDomain().isEmpty() && opset.getVersion() < 11) {
            throw new QuantizationException("The model imports ONNX opset " + opset.getVersion()
                + "; DynamicQuantizeLinear needs opset 11 or later. Use the dynamic-quantize-matmul op form.");
          }
        }
      }
      return result.build();
    }

    /**
     * {@code final = int8Part + x[..., rows] · W[rows, :]}: the outlier input rows, zeroed in the int8 weight,
     * multiplied in float32 (a Gather of a few activation columns and a [r, N] MatMul: cheap).
     */
    private void addFloatRows(GraphProto.Builder out, Candidate candidate, String base, String columns,
        String int8Part, String finalOutput) {
      int[] rows = candidate.floatRows();
      float[] values = new float[rows.length * candidate.cols()];
      for (int i = 0; i < rows.length; i++) {
        for (int c = 0; c < candidate.cols(); c++) {
          values[i * candidate.cols() + c] = candidate.weight()[rows[i] * candidate.cols() + c] * candidate.alpha();
        }
      }
      String weight = unique(candidate.weightName() + "_outlier_weight");
      out.addInitializer(OnnxTensors.floatTensor(weight, new long[] {rows.length, candidate.cols()}, values));
      String product = unique(base + "/outlier_product");
      out.addNode(node("", "MatMul", base + "/outlier_matmul", List.of(columns, weight), List.of(product)));
      out.addNode(node("", "Add", base + "/outlier_add", List.of(int8Part, product), List.of(finalOutput)));
    }

    /** {@code x[..., rows]}: the activation columns the float32 part multiplies. */
    private String gatherColumns(GraphProto.Builder out, Candidate candidate, String base, String input) {
      String index = unique(candidate.weightName() + "_outlier_rows");
      out.addInitializer(OnnxTensors.longTensor(index, Arrays.stream(candidate.floatRows()).asLongStream().toArray()));
      String gathered = unique(base + "/outlier_columns");
      out.addNode(node("", "Gather", base + "/outlier_gather", List.of(input, index), List.of(gathered),
          AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(-1).build()));
      return gathered;
    }

    /**
     * The Add of a constant [N] bias that is the MatMul's only consumer, so DynamicQuantizeMatMul can take
     * the bias itself; null when there is none.
     */
    private NodeProto foldableBiasAdd(NodeProto matmul, int cols) {
      String product = matmul.getOutput(0);
      List<NodeProto> users = consumers.getOrDefault(product, List.of());
      if (users.size() != 1 || graphOutputs.contains(product) || !users.get(0).getOpType().equals("Add")) {
        return null;
      }
      NodeProto add = users.get(0);
      String other = otherInput(add, product);
      TensorProto tensor = initializers.get(other);
      if (tensor == null || tensor.getDataType() != TensorProto.DataType.FLOAT_VALUE
          || tensor.getDimsCount() != 1 || tensor.getDims(0) != cols) {
        return null;
      }
      return add;
    }

    private static String otherInput(NodeProto add, String input) {
      return add.getInput(0).equals(input) ? add.getInput(1) : add.getInput(0);
    }

    /** Drops initializers and Cast-of-initializer nodes that nothing reads any more (the float weights). */
    private void pruneUnused(GraphProto.Builder out) {
      boolean changed = true;
      while (changed) {
        Set<String> read = new HashSet<>(graphOutputs);
        for (NodeProto node : out.getNodeList()) {
          read.addAll(node.getInputList());
        }
        changed = false;
        for (int i = out.getNodeCount() - 1; i >= 0; i--) {
          NodeProto node = out.getNode(i);
          if (node.getOpType().equals("Cast") && initializers.containsKey(node.getInput(0))
              && !read.contains(node.getOutput(0))) {
            out.removeNode(i);
            changed = true;
          }
        }
        for (int i = out.getInitializerCount() - 1; i >= 0; i--) {
          String name = out.getInitializer(i).getName();
          if (initializers.containsKey(name) && !read.contains(name)) {
            out.removeInitializer(i);
            changed = true;
          }
        }
      }
    }

    private String unique(String hint) {
      return usedNames.unique(hint);
    }
  }

  /**
   * How much each input channel is divided by before the per-call quantization (its weight row multiplied by as
   * much): an outlier channel down to {@code ratio} × the median channel's peak, the rest (and {@code floatRows},
   * which go to float32 instead) 1; null when nothing is scaled.
   */
  static float[] channelScales(ActivationOutlierProbe.Outliers outliers, int rows, int[] floatRows, double ratio) {
    float[] scales = new float[rows];
    Arrays.fill(scales, 1f);
    for (int i = 0; i < outliers.channels().length; i++) {
      int channel = outliers.channels()[i];
      if (channel < rows && Arrays.stream(floatRows).noneMatch(r -> r == channel)) {
        scales[channel] = (float) Math.max(1, outliers.excess()[i] / ratio);
      }
    }
    for (float scale : scales) {
      if (scale > 1f) {
        return scales;
      }
    }
    return null;
  }

  /** {@code [99 /7.10, 157 /1.21]}: the channels scaled down before quantization and by how much; or empty. */
  static String scaledChannels(float[] scales) {
    if (scales == null) {
      return "";
    }
    List<String> scaled = new ArrayList<>();
    for (int r = 0; r < scales.length; r++) {
      if (scales[r] > 1f) {
        scaled.add(r + " /" + String.format(java.util.Locale.ROOT, "%.2f", scales[r]));
      }
    }
    return scaled.isEmpty() ? "" : scaled.toString();
  }

  static NodeProto node(String domain, String opType, String name, List<String> inputs, List<String> outputs,
      AttributeProto... attributes) {
    NodeProto.Builder node = NodeProto.newBuilder().setDomain(domain).setOpType(opType).setName(name)
        .addAllInput(inputs).addAllOutput(outputs);
    for (AttributeProto attribute : attributes) {
      node.addAttribute(attribute);
    }
    return node.build();
  }

  private static long intAttribute(NodeProto node, String name, long fallback) {
    for (AttributeProto attribute : node.getAttributeList()) {
      if (attribute.getName().equals(name)) {
        return attribute.getI();
      }
    }
    return fallback;
  }

  private static float floatAttribute(NodeProto node, String name, float fallback) {
    for (AttributeProto attribute : node.getAttributeList()) {
      if (attribute.getName().equals(name)) {
        return attribute.getF();
      }
    }
    return fallback;
  }

  private static float[] transpose(float[] values, int rows, int cols) {
    float[] transposed = new float[values.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        transposed[c * rows + r] = values[r * cols + c];
      }
    }
    return transposed;
  }
}
