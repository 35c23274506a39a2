package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.kluespark.model.GraphPrecision;

/**
 * Turns a float32 ONNX encoder into one that computes in half precision, for GPUs, the way ONNX Runtime's GPU
 * recipe does ({@code optimizer.optimize_model(..., model_type='bert')}, then
 * {@code convert_float_to_float16(keep_io_types=True)}): the float32 graph is first fused by ONNX Runtime's own
 * optimizer ({@link OrtFusion}: Attention, SkipLayerNormalization, BiasGelu, EmbedLayerNormalization,
 * LayerNormalization), then float weights become float16 and activations flow as float16, the fused ops included
 * (their half kernels accumulate in float32 inside). What did not fuse and is numerically sensitive
 * ({@link Float32Islands}: an unfused Softmax, reductions, the attention-mask path) stays float32 with Casts around
 * it. So does, by default, the residual stream ({@link ResidualPrecision}): the layer norms around each block
 * compute and write float32, and the blocks read a half copy. Inputs do not change; float outputs stay float32
 * (a final Cast), so the stage reads an fp16 bundle like any other.
 *
 * <p>Accepted: float32 graphs, and graphs that store weights as float16 and Cast them up to float32
 * ({@code kluespark convert --fp16}): the Cast goes and the weight stays half. Refused with a message: graphs
 * that already compute in float16 or bfloat16, and int8 / quantized graphs.
 *
 * <p>Constants move into half's finite range before rounding (ONNX Runtime's converter does the same), so
 * an additive mask of -3.4e38 that ends up in half becomes -65504 and still gives masked keys zero weight.
 * Ours never does: the mask path is a float32 island (or, fused, an int32 mask_index).
 */
public final class Float16Converter {
  public static final String CONVERTER = "org.kluespark.precision.Float16Converter/1";
  /** Model metadata keys this converter sets (the converter's graph writer sets {@code kluespark.weights} too). */
  public static final String COMPUTE_METADATA = "kluespark.compute";
  public static final String WEIGHTS_METADATA = "kluespark.weights";
  /**
   * Float initializers of rank 2+ with at least this many values are weight matrices, stored half even when only
   * float32 islands read them; smaller ones (mask constants: at most 16 values) stay float32.
   */
  private static final long WEIGHT_MATRIX_ELEMENTS = 64;


  /**
   * The converted model and what was done, for the bundle manifest.
   *
   * @param summary {@code precision=fp16}, the ops kept float32 with counts, casts added, initializers by
   *     type, values clamped into half's range, the source weights' type and the converter version
   */
  public record Result(ModelProto model, Map<String, String> summary) {}

  private final String source;
  private final Path modelDir;
  private final ResidualPrecision residual;

  private Float16Converter(String source, Path modelDir, ResidualPrecision residual) {
    this.source = source;
    this.modelDir = modelDir;
    this.residual = residual;
  }

  /**
   * Converts {@code modelFile} (a bundle's {@code model.onnx}); weights in ONNX external data beside it are
   * read in. The result holds every weight inline: write it with
   * {@code OnnxModelFiles.write}, which moves weights to external data again when they exceed 2 GB.
   */
  public static Result convert(Path modelFile) {
    return convert(modelFile, ResidualPrecision.FLOAT32);
  }

  /** As {@link #convert(Path)}, with the residual stream in {@code residual}. */
  public static Result convert(Path modelFile, ResidualPrecision residual) {
    ModelProto model;
    try (InputStream in = Files.newInputStream(modelFile)) {
      model = ModelProto.parseFrom(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + modelFile + ": " + e.getMessage(), e);
    }
    Path dir = modelFile.toAbsolutePath().getParent();
    return new Float16Converter(modelFile.toString(), dir, residual).run(model);
  }

  /**
   * Converts an in-memory model; {@code source} names it in messages. A model with external data must go
   * through {@link #convert(Path)} instead.
   */
  public static Result convert(ModelProto model, String source) {
    return convert(model, source, ResidualPrecision.FLOAT32);
  }

  /** As {@link #convert(ModelProto, String)}, with the residual stream in {@code residual}. */
  public static Result convert(ModelProto model, String source, ResidualPrecision residual) {
    return new Float16Converter(source, null, residual).run(model);
  }

  private Result run(ModelProto model) {
    GraphProto graph = model.getGraph();
    refuseQuantized(graph);
    List<NodeProto> nodes = TopologicalOrder.sort(graph.getNodeList(), graph, source);
    StoredHalfWeights stored = StoredHalfWeights.unfold(graph, nodes, modelDir);
    graph = graph.toBuilder().clearNode().addAllNode(stored.nodes()).clearInitializer()
        .addAllInitializer(stored.initializers()).build();
    Map<String, Integer> types = TensorTypes.infer(graph);
    refuseHalfCompute(model, graph, types);
    if (types.values().stream().noneMatch(type -> type == DataType.FLOAT_VALUE)) {
      throw new Float16ConversionException(source + " has no float32 tensors: there is nothing to compute in half.");
    }
    GraphProto.Builder inline = graph.toBuilder().clearInitializer();
    for (TensorProto tensor : graph.getInitializerList()) {
      inline.addInitializer(tensor.getDataType() == DataType.FLOAT_VALUE ? FloatTensorData.inlineFloat(tensor, modelDir)
          : inlineOther(tensor));
    }
    // Fuse in float32 first, then convert: the fused ops take float16 (see OrtFusion).
    ModelProto fused = OrtFusion.fuse(model.toBuilder().setGraph(inline).build(), source);
    graph = fused.getGraph().toBuilder().clearNode()
        .addAllNode(TopologicalOrder.sort(fused.getGraph().getNodeList(), fused.getGraph(), source)).build();
    Result converted = new Rewrite(graph, TensorTypes.infer(graph)).apply(fused);
    converted.summary().put("source_weights", stored.unfolded() > 0 ? "float16 (stored half, cast to float32)" : "float32");
    converted.summary().put("converter", CONVERTER);
    return new Result(converted.model(), java.util.Collections.unmodifiableMap(converted.summary()));
  }

  private void refuseQuantized(GraphProto graph) {
    for (NodeProto node : graph.getNodeList()) {
      if (GraphPrecision.QUANTIZATION_OPS.contains(node.getOpType())) {
        throw new Float16ConversionException(source + " is a quantized (int8) graph: node " + node.getName() + " is "
            + node.getOpType() + ". Convert the float32 model to fp16 instead (kluespark convert CHECKPOINT "
            + "--output DIR --precision fp16, or the original float32 bundle).");
      }
    }
  }

  private void refuseHalfCompute(ModelProto model, GraphProto graph, Map<String, Integer> types) {
    for (StringStringEntryProto entry : model.getMetadataPropsList()) {
      if (entry.getKey().equals(COMPUTE_METADATA) && entry.getValue().equals("float16")) {
        throw new Float16ConversionException(source + " already computes in float16 (metadata " + COMPUTE_METADATA
            + "=float16). Convert its float32 source instead.");
      }
    }
    for (Map.Entry<String, Integer> entry : new TreeMap<>(types).entrySet()) {
      int type = entry.getValue();
      if (type == DataType.FLOAT16_VALUE || type == DataType.BFLOAT16_VALUE) {
        throw new Float16ConversionException(source + " already computes in "
            + (type == DataType.FLOAT16_VALUE ? "float16" : "bfloat16") + " (tensor '" + entry.getKey()
            + "' is " + DataType.forNumber(type) + " and is not a stored weight cast to float32). Convert its "
            + "float32 source instead.");
      }
    }
  }

  /** Shape constants and other non-float initializers stay as they are, external data read in. */
  private TensorProto inlineOther(TensorProto tensor) {
    if (!OnnxTensors.isExternal(tensor)) {
      return tensor;
    }
    throw new Float16ConversionException(source + ": initializer " + tensor.getName() + " ("
        + DataType.forNumber(tensor.getDataType()) + ") is in external data; only float weights can be read "
        + "from external data here. Re-export the model with it inline.");
  }

  /** One conversion of one graph: decides every tensor's type and writes the new graph. */
  private final class Rewrite {
    private final GraphProto graph;
    private final Map<String, Integer> types;
    private final Map<String, Long> constantSizes = new HashMap<>();
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final Set<String> graphOutputs = new HashSet<>();
    /** Node index to the type it computes in (FLOAT or FLOAT16); absent: no float in or out, or type-agnostic. */
    private final Map<Integer, Integer> precision = new HashMap<>();
    /** New element type of every float tensor. */
    private final Map<String, Integer> newTypes = new HashMap<>();
    private final Set<String> halfConstants = new HashSet<>();
    private final Map<String, String> castNames = new HashMap<>();
    private final UniqueNames usedNames = new UniqueNames();
    private final List<TensorProto> addedInitializers = new ArrayList<>();
    private int casts;
    /** Constant values clamped to ±65504, and tiny ones raised to ±2^-24 (FloatTensorData.toHalf). */
    private final long[] clamped = {0, 0};

    Rewrite(GraphProto graph, Map<String, Integer> types) {
      this.graph = graph;
      this.types = types;
      graph.getOutputList().forEach(output -> graphOutputs.add(output.getName()));
      for (TensorProto tensor : graph.getInitializerList()) {
        initializers.put(tensor.getName(), tensor);
        if (tensor.getDataType() == DataType.FLOAT_VALUE) {
          constantSizes.put(tensor.getName(), OnnxTensors.elementCount(tensor));
        }
      }
      for (NodeProto node : graph.getNodeList()) {
        if (node.getOpType().equals("Constant") && isFloat(node.getOutput(0))) {
          constantSizes.put(node.getOutput(0), constantElements(node));
        }
      }
      usedNames.addAll(types.keySet());
      graph.getNodeList().forEach(node -> usedNames.add(node.getName()));
    }

    Result apply(ModelProto model) {
      List<NodeProto> nodes = graph.getNodeList();
      Float32Islands.Result islands = Float32Islands.find(nodes, types, constantSizes, graphOutputs,
          residual == ResidualPrecision.FLOAT32);
      decidePrecision(nodes, islands.nodes());
      decideConstants(nodes);

      List<NodeProto> out = new ArrayList<>();
      Map<String, String> outputRenames = new HashMap<>();
      for (String output : graphOutputs) {
        if (newTypes.getOrDefault(output, 0) == DataType.FLOAT16_VALUE) {
          outputRenames.put(output, fresh(output + "/fp16"));
        }
      }
      Map<String, Integer> float32Ops = new TreeMap<>();
      Map<String, Integer> fusedOps = new TreeMap<>();
      int halfNodes = 0;
      for (int i = 0; i < nodes.size(); i++) {
        NodeProto node = nodes.get(i);
        Integer p = precision.get(i);
        NodeProto.Builder rewritten = node.toBuilder();
        for (int slot = 0; slot < node.getInputCount(); slot++) {
          String input = node.getInput(slot);
          String reference = outputRenames.getOrDefault(input, input);
          if (p != null && isFloat(input)) {
            reference = castIfNeeded(reference, newTypes.get(input), p, islands.maskTensors().contains(input), out);
          }
          rewritten.setInput(slot, reference);
        }
        for (int slot = 0; slot < node.getOutputCount(); slot++) {
          rewritten.setOutput(slot, outputRenames.getOrDefault(node.getOutput(slot), node.getOutput(slot)));
        }
        if (node.getOpType().equals("Constant") && halfConstants.contains(node.getOutput(0))) {
          rewritten.clearAttribute().addAttribute(AttributeProto.newBuilder().setName("value")
              .setType(AttributeProto.AttributeType.TENSOR).setT(FloatTensorData.toHalf(constantTensor(node), null, clamped)));
        }
        if (p != null && p == DataType.FLOAT16_VALUE && node.getOpType().equals("Cast")) {
          rewritten.clearAttribute().addAttribute(AttributeProto.newBuilder().setName("to")
              .setType(AttributeProto.AttributeType.INT).setI(DataType.FLOAT16_VALUE));
        }
        if (p != null && p == DataType.FLOAT_VALUE) {
          if (!node.getOpType().equals("Identity")) { // outputs copied from a float32 island are not compute
            float32Ops.merge(node.getOpType(), 1, Integer::sum);
          }
        } else if (p != null) {
          halfNodes++;
        }
        if (p != null && Float32Islands.HALF_FUSED_OPS.contains(OrtFusion.qualified(node))) {
          fusedOps.merge(OrtFusion.qualified(node), 1, Integer::sum); // in half, or float32 on the residual stream
        }
        out.add(rewritten.build());
      }
      outputRenames.forEach((output, half) -> {
        out.add(cast(half, output, DataType.FLOAT_VALUE));
        casts++;
      });

      GraphProto.Builder builder = graph.toBuilder().clearNode().addAllNode(out).clearInitializer();
      int halfInitializers = 0;
      int floatInitializers = 0;
      for (TensorProto tensor : initializers.values()) {
        if (halfConstants.contains(tensor.getName())) {
          builder.addInitializer(FloatTensorData.toHalf(tensor, null, clamped));
          halfInitializers++;
        } else {
          builder.addInitializer(tensor); // float32 ones only for float32 islands; others are shapes and ids
          floatInitializers += tensor.getDataType() == DataType.FLOAT_VALUE ? 1 : 0;
        }
      }
      builder.addAllInitializer(addedInitializers);
      for (ValueInfoProto.Builder value : builder.getValueInfoBuilderList()) {
        Integer type = newTypes.get(value.getName());
        if (type != null && value.getType().hasTensorType()) {
          value.getTypeBuilder().getTensorTypeBuilder().setElemType(type);
        }
      }

      Map<String, String> summary = new LinkedHashMap<>();
      summary.put("precision", "fp16");
      summary.put("compute", "float16; fused ops take float16, float32 islands for the residual stream's layer "
          + "norms (unless float16) and the sensitive ops left unfused");
      summary.put("graph_fusion", "ONNX Runtime " + OrtEnvironment.getEnvironment().getVersion()
          + " EXTENDED (BERT fusions) on the float32 graph, before the half conversion");
      summary.put("fused_ops", fusedOps.toString().replaceAll("[{}]", ""));
      summary.put("residual_stream", residual == ResidualPrecision.FLOAT32
          ? "float32 (its layer norms compute and write float32; blocks read a half copy)"
          : "float16 (every layer norm writes half)");
      summary.put("float32_ops", float32Ops.toString().replaceAll("[{}]", ""));
      summary.put("float32_layer_norm_patterns", Integer.toString(islands.layerNormPatterns()));
      summary.put("float16_nodes", Integer.toString(halfNodes));
      summary.put("casts_added", Integer.toString(casts));
      summary.put("float16_initializers", Integer.toString(halfInitializers));
      summary.put("float32_initializers", Integer.toString(floatInitializers));
      summary.put("values_clamped_to_65504", Long.toString(clamped[0]));
      summary.put("tiny_values_raised_to_2^-24", Long.toString(clamped[1]));
      summary.put("io", "inputs unchanged, float outputs float32");

      ModelProto.Builder result = model.toBuilder().setGraph(builder);
      setMetadata(result, WEIGHTS_METADATA, "float16");
      setMetadata(result, COMPUTE_METADATA, "float16");
      return new Result(result.build(), summary);
    }

    private void decidePrecision(List<NodeProto> nodes, Set<Integer> island) {
      for (int i = 0; i < nodes.size(); i++) {
        NodeProto node = nodes.get(i);
        String op = node.getOpType();
        boolean floatNode = node.getInputList().stream().anyMatch(this::isFloat)
            || node.getOutputList().stream().anyMatch(this::isFloat);
        if (!floatNode || op.equals("Constant") || op.equals("Shape") || op.equals("Size")) {
          continue;
        }
        int p;
        if (island.contains(i)) {
          p = DataType.FLOAT_VALUE;
        } else if (op.equals("Identity") && newTypes.containsKey(node.getInput(0))) {
          p = newTypes.get(node.getInput(0)); // pass-through: no cast for outputs copied from a float32 island
        } else {
          p = DataType.FLOAT16_VALUE;
        }
        precision.put(i, p);
        for (String output : node.getOutputList()) {
          if (isFloat(output)) {
            newTypes.put(output, p);
          }
        }
      }
    }

    /**
     * A float constant is stored half when some half node reads it, or when it is a weight matrix
     * ({@link #isWeightMatrix}) read only by float32 islands (the embedding tables of a float32
     * EmbedLayerNormalization): float32 readers then get a Cast, which ONNX Runtime folds when it loads the graph,
     * so the file and the broadcast stay half-size.
     */
    private void decideConstants(List<NodeProto> nodes) {
      initializers.values().stream().filter(Rewrite::isWeightMatrix).forEach(tensor -> halfConstants.add(tensor.getName()));
      for (int i = 0; i < nodes.size(); i++) {
        Integer p = precision.get(i);
        if (p == null || p != DataType.FLOAT16_VALUE) {
          continue;
        }
        for (String input : nodes.get(i).getInputList()) {
          if (constantSizes.containsKey(input)) {
            halfConstants.add(input);
          }
        }
      }
      for (String constant : constantSizes.keySet()) {
        newTypes.put(constant, halfConstants.contains(constant) ? DataType.FLOAT16_VALUE : DataType.FLOAT_VALUE);
      }
      for (ValueInfoProto input : graph.getInputList()) {
        if (isFloat(input.getName())) {
          newTypes.put(input.getName(), DataType.FLOAT_VALUE);
        }
      }
    }

    /**
     * {@code tensor} in type {@code wanted}: itself, or the output of a Cast shared by every reader that
     * wants that type. Mask-path values are clipped into half's range before a cast down (a Cast would
     * turn -3.4e38 into -inf).
     */
    private String castIfNeeded(String tensor, int has, int wanted, boolean maskPath, List<NodeProto> out) {
      if (has == wanted) {
        return tensor;
      }
      String key = tensor + "->" + wanted;
      String existing = castNames.get(key);
      if (existing != null) {
        return existing;
      }
      String input = tensor;
      if (wanted == DataType.FLOAT16_VALUE && maskPath) {
        String low = fresh(tensor + "/half_min");
        String high = fresh(tensor + "/half_max");
        addedInitializers.add(FloatTensorData.floatTensor(low, List.of(), new float[] {-FloatTensorData.HALF_MAX}));
        addedInitializers.add(FloatTensorData.floatTensor(high, List.of(), new float[] {FloatTensorData.HALF_MAX}));
        input = fresh(tensor + "/clipped");
        out.add(NodeProto.newBuilder().setOpType("Clip").setName(fresh(input + "/Clip"))
            .addInput(tensor).addInput(low).addInput(high).addOutput(input).build());
      }
      String name = fresh(tensor + (wanted == DataType.FLOAT16_VALUE ? "/to_fp16" : "/to_fp32"));
      out.add(cast(input, name, wanted));
      casts++;
      castNames.put(key, name);
      return name;
    }

    private NodeProto cast(String input, String output, int to) {
      return NodeProto.newBuilder().setOpType("Cast").setName(fresh(output + "/Cast")).addInput(input).addOutput(output)
          .addAttribute(AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT).setI(to))
          .build();
    }

    private String fresh(String hint) {
      return usedNames.unique(hint);
    }

    private boolean isFloat(String tensor) {
      return types.getOrDefault(tensor, TensorTypes.UNKNOWN) == DataType.FLOAT_VALUE;
    }

    /** A float initializer of rank 2 or more and at least {@link #WEIGHT_MATRIX_ELEMENTS} values. */
    private static boolean isWeightMatrix(TensorProto tensor) {
      return tensor.getDataType() == DataType.FLOAT_VALUE && tensor.getDimsCount() >= 2
          && OnnxTensors.elementCount(tensor) >= WEIGHT_MATRIX_ELEMENTS;
    }
  }

  private static long constantElements(NodeProto node) {
    return OnnxTensors.elementCount(constantTensor(node));
  }

  /** The value of a float {@code Constant} node as a tensor ({@code value}, {@code value_float(s)}). */
  static TensorProto constantTensor(NodeProto node) {
    for (AttributeProto attribute : node.getAttributeList()) {
      switch (attribute.getName()) {
        case "value":
          return attribute.getT();
        case "value_float":
          return FloatTensorData.floatTensor(node.getOutput(0), List.of(), new float[] {attribute.getF()});
        case "value_floats": {
          float[] values = new float[attribute.getFloatsCount()];
          for (int i = 0; i < values.length; i++) {
            values[i] = attribute.getFloats(i);
          }
          return FloatTensorData.floatTensor(node.getOutput(0), List.of((long) values.length), values);
        }
        default:
          break;
      }
    }
    throw new Float16ConversionException("Constant node " + node.getName() + " has no float value");
  }

  private static void setMetadata(ModelProto.Builder model, String key, String value) {
    for (StringStringEntryProto.Builder entry : model.getMetadataPropsBuilderList()) {
      if (entry.getKey().equals(key)) {
        entry.setValue(value);
        return;
      }
    }
    model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(key).setValue(value));
  }
}
