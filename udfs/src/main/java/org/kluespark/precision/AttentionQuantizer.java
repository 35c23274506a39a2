package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Quantizes the {@code com.microsoft} {@code Attention} nodes ONNX Runtime's optimizer wrote into a float32 graph:
 * each one whose packed Q/K/V weight {@code [H, 3H]} and bias {@code [3H]} are constant float initializers becomes
 * {@code DynamicQuantizeLinear} (its input to uint8, one scale per call, as {@code DynamicQuantizeMatMul} does)
 * and {@code QAttention} (int8 symmetric weights, zero point 0), what ONNX Runtime's Python quantizer writes
 * ({@code AttentionQuant}). The CPU kernel ({@code contrib_ops/cpu/quantization/attention_quant.cc}) takes a weight
 * scale per output column ({@code [3H]}) or one per tensor, int8 or uint8 weights, and the same mask forms as
 * {@code Attention} (it shares {@code AttentionCPUBase}), so {@link Int8Options#granularity()} applies as for the
 * MatMuls. 8-bit weights as elsewhere ({@link Int8Options#reduceRange()} honoured): the Python quantizer's 7-bit
 * default guards against the saturation of VNNI-less u8s8 kernels, which ONNX Runtime's AVX2 kernel does not
 * show ({@link Int8Quantizer}).
 *
 * <p>The {@link Int8Quantizer} rules, for the one node that replaces three MatMuls: a keep-float32 pattern that
 * matches the Attention's node or weight name, or the name or weight of a Q/K/V MatMul of the unfused graph (the
 * MatMuls reading the Attention's input), keeps the whole Attention float32. The probe's outlier channels of the
 * Attention's input ({@link ActivationOutlierProbe}) are scaled down by one Mul in front of it and the packed
 * weight rows scaled up by as much. Float32 side products cannot be expressed (QAttention applies softmax right
 * after the projection), so an Attention whose Q, K or V weight has outlier input rows
 * ({@link Int8Options#outlierRowRatio()}), or whose outlier channels would be split off to float32
 * ({@code scaleOutlierChannels=false}), stays float32, with the reason in the report.
 */
final class AttentionQuantizer {
  private static final String SUFFIX = "_int8";
  /** QAttention takes no past/present cache beyond input 4, nor Attention's later inputs (attention bias...). */
  private static final int MAX_INPUTS = 4;

  private AttentionQuantizer() {}

  /**
   * The graph with its Attention nodes quantized, how many, {@code "node: reason"} for each one kept float32, and
   * one report line per Attention.
   */
  record Result(ModelProto model, int quantized, int total, List<String> kept, List<String> report) {}

  /** The Attention nodes of {@code model} QAttention can replace: constant float weight and bias. */
  static int quantizable(ModelProto model) {
    Map<String, TensorProto> initializers = initializers(model.getGraph());
    return (int) model.getGraph().getNodeList().stream().filter(node -> isAttention(node)
        && floatInitializer(initializers, node, 1, 2) && floatInitializer(initializers, node, 2, 1)).count();
  }

  /**
   * @param model the graph to rewrite (its MatMuls may already be int8)
   * @param outliers the activation probe's outlier channels, Attention inputs included (what
   *     {@link Int8Quantizer#quantize(ModelProto, Int8Options, Map)} collected on the same graph before)
   * @param unfused the float32 graph before ONNX Runtime fused it, for the Q/K/V MatMul names
   */
  static Result quantize(ModelProto model, Map<String, ActivationOutlierProbe.Outliers> outliers, ModelProto unfused,
      Int8Options options) {
    return new Run(model, unfused, options).quantize(outliers);
  }

  static boolean isAttention(NodeProto node) {
    return node.getOpType().equals("Attention") && node.getDomain().equals(Int8Quantizer.MS_DOMAIN);
  }

  private static boolean floatInitializer(Map<String, TensorProto> initializers, NodeProto node, int input, int rank) {
    TensorProto tensor = node.getInputCount() > input ? initializers.get(node.getInput(input)) : null;
    return tensor != null && tensor.getDataType() == TensorProto.DataType.FLOAT_VALUE
        && tensor.getDimsCount() == rank && !OnnxTensors.isExternal(tensor);
  }

  private static Map<String, TensorProto> initializers(GraphProto graph) {
    Map<String, TensorProto> initializers = new HashMap<>();
    graph.getInitializerList().forEach(tensor -> initializers.put(tensor.getName(), tensor));
    return initializers;
  }

  private static final class Run {
    private final ModelProto model;
    private final GraphProto graph;
    private final ModelProto unfused;
    private final Int8Options options;
    private final Map<String, TensorProto> initializers;
    private final UniqueNames usedNames = new UniqueNames();
    private final List<String> report = new ArrayList<>();
    private final List<String> kept = new ArrayList<>();

    Run(ModelProto model, ModelProto unfused, Int8Options options) {
      this.model = model;
      this.graph = model.getGraph();
      this.unfused = unfused;
      this.options = options;
      this.initializers = initializers(graph);
      usedNames.addAll(initializers.keySet());
      graph.getInputList().forEach(input -> usedNames.add(input.getName()));
      graph.getNodeList().forEach(node -> usedNames.addAll(node.getOutputList()));
    }

    Result quantize(Map<String, ActivationOutlierProbe.Outliers> outliers) {
      List<NodeProto> attentions = graph.getNodeList().stream().filter(AttentionQuantizer::isAttention).toList();
      GraphProto.Builder out = graph.toBuilder().clearNode();
      Map<String, String[]> quantizedInputs = new HashMap<>(); // float input (after scaling) -> q, scale, zero point
      Set<String> replacedWeights = new HashSet<>();
      int quantized = 0;
      for (NodeProto node : graph.getNodeList()) {
        if (!isAttention(node)) {
          out.addNode(node);
          continue;
        }
        String keep = keepReason(node);
        float[] channelScales = null;
        ActivationOutlierProbe.Outliers found = outliers.get(node.getInput(0));
        if (keep == null && found != null) {
          if (options.scaleOutlierChannels()) {
            channelScales = channelScales(found, (int) initializers.get(node.getInput(1)).getDims(0));
          } else {
            keep = "outlier input channels " + Arrays.toString(found.channels()) + " would be multiplied in float32 "
                + "(scaleOutlierChannels=false), which QAttention cannot do";
          }
        }
        if (keep != null) {
          report.add("float32 " + label(node) + ": " + keep);
          kept.add(node.getName() + ": " + keep);
          out.addNode(node);
          continue;
        }
        rewrite(out, node, channelScales, quantizedInputs);
        replacedWeights.add(node.getInput(1));
        quantized++;
      }
      if (quantized == 0) {
        return new Result(model, 0, attentions.size(), kept, report);
      }
      Set<String> read = new HashSet<>();
      out.getNodeList().forEach(node -> read.addAll(node.getInputList()));
      for (int i = out.getInitializerCount() - 1; i >= 0; i--) {
        String name = out.getInitializer(i).getName();
        if (replacedWeights.contains(name) && !read.contains(name)) {
          out.removeInitializer(i);
        }
      }
      ModelProto.Builder result = model.toBuilder().setGraph(out);
      if (result.getOpsetImportList().stream().noneMatch(o -> o.getDomain().equals(Int8Quantizer.MS_DOMAIN))) {
        result.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(Int8Quantizer.MS_DOMAIN).setVersion(1));
      }
      return new Result(result.build(), quantized, attentions.size(), kept, report);
    }

    /** Why {@code node} stays float32, or null. */
    private String keepReason(NodeProto node) {
      if (!floatInitializer(initializers, node, 1, 2) || !floatInitializer(initializers, node, 2, 1)) {
        return "its weight or bias is not a constant float32 initializer";
      }
      for (int i = MAX_INPUTS + 1; i < node.getInputCount(); i++) {
        if (!node.getInput(i).isEmpty()) {
          return "it has input " + i + " (" + node.getInput(i) + "), which QAttention does not take";
        }
      }
      if (node.getInputCount() > MAX_INPUTS && !node.getInput(MAX_INPUTS).isEmpty()) {
        return "it reads a past key/value cache";
      }
      if (node.getAttributeList().stream().anyMatch(a -> a.getName().equals("qkv_hidden_sizes"))) {
        return "Q, K and V have different widths (qkv_hidden_sizes), which QAttention does not take";
      }
      if (model.getOpsetImportList().stream().anyMatch(o -> o.getDomain().isEmpty() && o.getVersion() < 11)) {
        return "the model imports ONNX opset < 11, which has no DynamicQuantizeLinear";
      }
      List<String> names = new ArrayList<>(List.of(node.getName(), node.getInput(1)));
      names.addAll(projectionNames(node.getInput(0)));
      for (Pattern pattern : options.keepFloat()) {
        for (String name : names) {
          if (pattern.matcher(name).find()) {
            return "matches keep-float32 pattern '" + pattern.pattern() + "' (" + name + ")";
          }
        }
      }
      if (options.outlierRowRatio() > 0) {
        TensorProto weight = initializers.get(node.getInput(1));
        int rows = (int) weight.getDims(0);
        int cols = (int) weight.getDims(1);
        float[] values = OnnxTensors.floats(weight);
        String[] parts = {"Q", "K", "V"};
        for (int p = 0; p < 3; p++) {
          double ratio = WeightQuantizer.outlierRowRatio(columns(values, rows, cols, p * cols / 3, cols / 3), rows,
              cols / 3);
          if (ratio > options.outlierRowRatio()) {
            return String.format(Locale.ROOT, "outlier input row in %s: max/rms row norm %.1f > %.1f (QAttention has "
                + "no float32 side product)", parts[p], ratio, options.outlierRowRatio());
          }
        }
      }
      return null;
    }

    /** Names and weight names of the unfused graph's MatMuls with a constant weight that read {@code input}. */
    private List<String> projectionNames(String input) {
      Set<String> unfusedInitializers = initializers(unfused.getGraph()).keySet();
      Map<String, String> castOf = new HashMap<>();
      for (NodeProto node : unfused.getGraph().getNodeList()) {
        if (node.getOpType().equals("Cast")) {
          castOf.put(node.getOutput(0), node.getInput(0));
        }
      }
      List<String> names = new ArrayList<>();
      for (NodeProto node : unfused.getGraph().getNodeList()) {
        if ((node.getOpType().equals("MatMul") || node.getOpType().equals("Gemm")) && node.getInputCount() > 1
            && node.getInput(0).equals(input)) {
          String weight = castOf.getOrDefault(node.getInput(1), node.getInput(1));
          if (unfusedInitializers.contains(weight)) {
            names.add(node.getName());
            names.add(weight);
          }
        }
      }
      return names;
    }

    private float[] channelScales(ActivationOutlierProbe.Outliers outliers, int rows) {
      return Int8Quantizer.channelScales(outliers, rows, new int[0], options.activationOutlierRatio());
    }

    private void rewrite(GraphProto.Builder out, NodeProto node, float[] channelScales,
        Map<String, String[]> quantizedInputs) {
      TensorProto weightTensor = initializers.get(node.getInput(1));
      int rows = (int) weightTensor.getDims(0);
      int cols = (int) weightTensor.getDims(1);
      float[] weight = OnnxTensors.floats(weightTensor);
      String base = unique(node.getName().isEmpty() ? node.getOutput(0) : node.getName());
      String input = node.getInput(0);
      if (channelScales != null) {
        // the outlier channels are divided before the per-call quantization and their weight rows multiplied
        // (exact in float32; the weight scales absorb it), so they no longer set the input's scale
        float[] inverse = new float[rows];
        for (int r = 0; r < rows; r++) {
          inverse[r] = 1f / channelScales[r];
          for (int c = 0; c < cols; c++) {
            weight[r * cols + c] *= channelScales[r];
          }
        }
        String factor = unique(node.getInput(1) + "_outlier_mask");
        out.addInitializer(OnnxTensors.floatTensor(factor, new long[] {rows}, inverse));
        String scaled = unique(base + "/without_outlier_columns");
        out.addNode(Int8Quantizer.node("", "Mul", base + "/outlier_mask", List.of(input, factor), List.of(scaled)));
        input = scaled;
      }
      String[] q = quantizedInputs.get(input);
      if (q == null) {
        q = new String[] {unique(input + "_quantized"), unique(input + "_scale"), unique(input + "_zero_point")};
        quantizedInputs.put(input, q);
        out.addNode(Int8Quantizer.node("", "DynamicQuantizeLinear", unique(input + "/DynamicQuantizeLinear"),
            List.of(input), List.of(q)));
      }
      WeightQuantizer.Int8Weights w = WeightQuantizer.quantize(weight, rows, cols, options.granularity(),
          options.weightMax());
      String weightQ = unique(node.getInput(1) + SUFFIX);
      String weightScale = unique(node.getInput(1) + SUFFIX + "_scale");
      out.addInitializer(OnnxTensors.int8Tensor(weightQ, new long[] {rows, cols}, w.values()));
      out.addInitializer(OnnxTensors.floatTensor(weightScale,
          w.scales().length == 1 ? new long[0] : new long[] {w.scales().length}, w.scales()));
      String mask = node.getInputCount() > 3 ? node.getInput(3) : "";
      // input, weight, bias, input scale, weight scale, mask index, input zero point (weight zero point: 0)
      out.addNode(node.toBuilder().setOpType("QAttention").setName(base + "/QAttention").clearInput()
          .addAllInput(List.of(q[0], weightQ, node.getInput(2), q[1], weightScale, mask, q[2])).build());
      String scaled = channelScales == null ? ""
          : ", input channels scaled down " + Int8Quantizer.scaledChannels(channelScales)
          + " (outliers)";
      report.add("int8    " + label(node) + " as QAttention" + scaled);
    }

    private String label(NodeProto node) {
      TensorProto weight = initializers.get(node.getInput(1));
      String shape = weight == null ? "" : " " + weight.getDims(0) + "x" + weight.getDims(1);
      List<String> projections = projectionNames(node.getInput(0));
      List<String> matmuls = new ArrayList<>();
      for (int i = 0; i < projections.size(); i += 2) {
        matmuls.add(projections.get(i));
      }
      return node.getName() + " (Attention " + node.getInput(1) + shape
          + (matmuls.isEmpty() ? "" : ", from " + String.join(" ", new LinkedHashSet<>(matmuls))) + ")";
    }

    private String unique(String hint) {
      return usedNames.unique(hint);
    }
  }

  /** Columns {@code [from, from + width)} of a {@code [rows, cols]} row-major matrix. */
  private static float[] columns(float[] values, int rows, int cols, int from, int width) {
    float[] part = new float[rows * width];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(values, r * cols + from, part, r * width, width);
    }
    return part;
  }
}
