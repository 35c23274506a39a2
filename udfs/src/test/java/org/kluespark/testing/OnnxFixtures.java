package org.kluespark.testing;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Derives test models from a real ONNX encoder, so tests of model validation and pooling need no
 * extra model files. Every method takes serialized model bytes and returns new bytes; the input is
 * never modified.
 *
 * <p>Edits go through the ONNX protobuf classes of {@code tribuo-util-onnx}. They rewrite the main
 * graph only: subgraphs of If/Loop nodes are left alone, which is fine for BERT-family exports
 * (they have none).
 */
public final class OnnxFixtures {
  public static final String LAST_HIDDEN_STATE = "last_hidden_state";
  public static final String POOLER_OUTPUT = "pooler_output";
  public static final String HIDDEN_STATES = "hidden_states.";

  // Prefix for tensors this class adds; real exports already use names like "pooler.dense.weight".
  private static final String PREFIX = "kluespark_fixture/";
  private static final double INIT_STDDEV = 0.05;

  private OnnxFixtures() {}

  /**
   * A BERT-style pooler head: {@code tanh(cls · weight + bias)}.
   *
   * @param weight row-major {@code [in, out]}, {@code hidden * hidden} values
   * @param bias {@code hidden} values
   */
  public record PoolerHead(int hidden, float[] weight, float[] bias) {
    public PoolerHead {
      if (weight.length != hidden * hidden || bias.length != hidden) {
        throw new IllegalArgumentException("weight must be hidden*hidden and bias hidden values for hidden=" + hidden);
      }
    }

    /** The pooled vector for one [CLS] hidden state, accumulated in double as a reference for tests. */
    public float[] apply(float[] cls) {
      if (cls.length != hidden) {
        throw new IllegalArgumentException("cls has " + cls.length + " values, expected " + hidden);
      }
      float[] pooled = new float[hidden];
      for (int out = 0; out < hidden; out++) {
        double sum = bias[out];
        for (int in = 0; in < hidden; in++) {
          sum += (double) cls[in] * weight[in * hidden + out];
        }
        pooled[out] = (float) Math.tanh(sum);
      }
      return pooled;
    }
  }

  /** A pooler head with weights and bias drawn from N(0, 0.05), the same for the same seed. */
  public static PoolerHead poolerHead(int hidden, long seed) {
    Random random = new Random(seed);
    return new PoolerHead(hidden, gaussian(random, hidden * hidden), gaussian(random, hidden));
  }

  /**
   * Adds the output {@code pooler_output} [batch, hidden] = {@code tanh(last_hidden_state[:, 0, :] · W + b)}
   * built from Gather, MatMul, Add and Tanh (available in every opset, so the model's opset is kept).
   * All existing outputs stay.
   */
  public static byte[] withPooler(byte[] encoderOnnx, PoolerHead head) {
    return edit(encoderOnnx, graph -> {
      ValueInfoProto tokens = find(graph.getOutputBuilderList(), LAST_HIDDEN_STATE, "output").build();
      requireNewName(graph, POOLER_OUTPUT);
      requireHidden(tokens, head.hidden());
      String index = PREFIX + "pooler/cls_index";
      String weight = PREFIX + "pooler/dense/weight";
      String bias = PREFIX + "pooler/dense/bias";
      graph.addInitializer(int64Scalar(index, 0))
          .addInitializer(floatTensor(weight, head.weight(), head.hidden(), head.hidden()))
          .addInitializer(floatTensor(bias, head.bias(), head.hidden()))
          // A scalar index drops the sequence axis: [batch, seq, hidden] -> [batch, hidden].
          .addNode(node("Gather", List.of(LAST_HIDDEN_STATE, index), PREFIX + "pooler/cls").addAttribute(intAttribute("axis", 1)))
          .addNode(node("MatMul", List.of(PREFIX + "pooler/cls", weight), PREFIX + "pooler/dense"))
          .addNode(node("Add", List.of(PREFIX + "pooler/dense", bias), PREFIX + "pooler/biased"))
          .addNode(node("Tanh", List.of(PREFIX + "pooler/biased"), POOLER_OUTPUT))
          .addOutput(tensorInfo(POOLER_OUTPUT, TensorProto.DataType.FLOAT_VALUE, batchDim(tokens), fixed(head.hidden())));
    });
  }

  /**
   * Adds graph outputs {@code hidden_states.0} … {@code hidden_states.<n-1>}, output i being an Identity of
   * the existing tensor {@code tensors.get(i)} (a node output or graph output of the model), declared float
   * like {@code last_hidden_state} — the layout {@code kluespark convert} writes. The tensors are not checked
   * for shape, so a test can expose a wrong one.
   */
  public static byte[] withHiddenStates(byte[] model, List<String> tensors) {
    return edit(model, graph -> {
      ValueInfoProto tokens = find(graph.getOutputBuilderList(), LAST_HIDDEN_STATE, "output").build();
      Set<String> produced = graph.getNodeList().stream().flatMap(n -> n.getOutputList().stream())
          .collect(Collectors.toSet());
      for (int layer = 0; layer < tensors.size(); layer++) {
        String source = tensors.get(layer);
        if (!produced.contains(source)) {
          throw new IllegalArgumentException("No node of the graph outputs a tensor named '" + source + "'");
        }
        String name = HIDDEN_STATES + layer;
        requireNewName(graph, name);
        graph.addNode(node("Identity", List.of(source), name))
            .addOutput(tokens.toBuilder().setName(name).build());
      }
    });
  }

  /** Renames a graph input and every node input that reads it. */
  public static byte[] renameInput(byte[] model, String from, String to) {
    return edit(model, graph -> {
      requireNewName(graph, to);
      find(graph.getInputBuilderList(), from, "input").setName(to);
      renameTensor(graph, from, to);
    });
  }

  /** Renames a graph output, the node output that produces it and any node input that reads it. */
  public static byte[] renameOutput(byte[] model, String from, String to) {
    return edit(model, graph -> {
      requireNewName(graph, to);
      find(graph.getOutputBuilderList(), from, "output").setName(to);
      renameTensor(graph, from, to);
    });
  }

  /**
   * Removes a graph output and the nodes and initializers that only it needed, e.g. to turn an encoder
   * with BERT's pooler (such as the built-in MiniLM) into one without {@code pooler_output}.
   */
  public static byte[] withoutOutput(byte[] model, String name) {
    return edit(model, graph -> {
      find(graph.getOutputBuilderList(), name, "output"); // fails clearly when absent
      List<ValueInfoProto> rest = graph.getOutputList().stream().filter(o -> !o.getName().equals(name)).toList();
      graph.clearOutput().addAllOutput(rest);
      pruneUnusedNodes(graph);
    });
  }

  /**
   * Declares a graph input with another element type ({@code TensorProto.DataType} number, e.g. FLOAT=1)
   * and casts it back to its original type first thing, so the model still loads and runs.
   */
  public static byte[] withInputType(byte[] model, String input, int onnxElemType) {
    return edit(model, graph -> {
      TypeProto.Tensor.Builder type = find(graph.getInputBuilderList(), input, "input").getTypeBuilder().getTensorTypeBuilder();
      int originalType = type.getElemType();
      String cast = PREFIX + input + "/original_type";
      // Existing nodes read the cast result under a new name; the input keeps its name.
      renameTensor(graph, input, cast);
      type.setElemType(onnxElemType);
      graph.addNode(0, node("Cast", List.of(input), cast).addAttribute(intAttribute("to", originalType)));
    });
  }

  /** Adds a graph input {@code name}, int64 [batch, sequence], that no node reads. */
  public static byte[] withExtraInput(byte[] model, String name) {
    return edit(model, graph -> {
      requireNewName(graph, name);
      graph.addInput(tensorInfo(name, TensorProto.DataType.INT64_VALUE, symbolic("batch"), symbolic("sequence")));
    });
  }

  /**
   * A model that fails at run time on every batch holding token {@code tokenId}, and computes the same outputs
   * as {@code model} otherwise: {@code last_hidden_state} gets {@code + table[Equal(input_ids, tokenId) * 10^6]}
   * added, where the table has one zero, so the token turns into an out-of-range Gather index ("indices element
   * out of data bounds"). Stands in for any data-dependent failure inside a model.
   */
  public static byte[] failingOnToken(byte[] model, long tokenId) {
    return edit(model, graph -> {
      String p = PREFIX + "fail_on_token/";
      String unguarded = p + "last_hidden_state";
      renameTensor(graph, LAST_HIDDEN_STATE, unguarded);
      graph.addInitializer(int64Scalar(p + "token", tokenId))
          .addInitializer(int64Scalar(p + "scale", 1_000_000))
          .addInitializer(floatTensor(p + "zero", new float[] {0f}, 1, 1));
      graph.addNode(node("Equal", List.of("input_ids", p + "token"), p + "is_token"))
          .addNode(node("Cast", List.of(p + "is_token"), p + "is_token_int")
              .addAttribute(intAttribute("to", TensorProto.DataType.INT64_VALUE)))
          .addNode(node("Mul", List.of(p + "is_token_int", p + "scale"), p + "index"))
          .addNode(node("Gather", List.of(p + "zero", p + "index"), p + "zeros")) // [batch, seq, 1]
          .addNode(node("Add", List.of(unguarded, p + "zeros"), LAST_HIDDEN_STATE));
    });
  }

  /** The first {@code keepBytes} bytes of the model, as a copy cut short in transfer would be. */
  public static byte[] truncated(byte[] model, int keepBytes) {
    if (keepBytes < 0 || keepBytes > model.length) {
      throw new IllegalArgumentException("keepBytes " + keepBytes + " is outside [0, " + model.length + "]");
    }
    return Arrays.copyOf(model, keepBytes);
  }

  private static byte[] edit(byte[] model, Consumer<GraphProto.Builder> change) {
    ModelProto.Builder builder = parse(model).toBuilder();
    change.accept(builder.getGraphBuilder());
    return builder.build().toByteArray();
  }

  private static ModelProto parse(byte[] model) {
    try {
      return ModelProto.parseFrom(model);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("Not an ONNX model: " + e.getMessage(), e);
    }
  }

  private static ValueInfoProto.Builder find(List<ValueInfoProto.Builder> values, String name, String kind) {
    return values.stream().filter(v -> v.getName().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("The graph has no " + kind + " '" + name + "' (it has "
            + values.stream().map(ValueInfoProto.Builder::getName).collect(Collectors.toList()) + ")"));
  }

  private static void requireNewName(GraphProto.Builder graph, String name) {
    boolean taken = graph.getInputList().stream().anyMatch(v -> v.getName().equals(name))
        || graph.getOutputList().stream().anyMatch(v -> v.getName().equals(name))
        || graph.getInitializerList().stream().anyMatch(t -> t.getName().equals(name))
        || graph.getNodeList().stream().anyMatch(n -> n.getOutputList().contains(name));
    if (taken) {
      throw new IllegalArgumentException("The graph already has a tensor named '" + name + "'");
    }
  }

  private static void requireHidden(ValueInfoProto tokens, int hidden) {
    TensorShapeProto shape = tokens.getType().getTensorType().getShape();
    if (shape.getDimCount() == 3 && shape.getDim(2).hasDimValue() && shape.getDim(2).getDimValue() != hidden) {
      throw new IllegalArgumentException(LAST_HIDDEN_STATE + " has hidden size " + shape.getDim(2).getDimValue()
          + " but the pooler head has " + hidden);
    }
  }

  /** Points every node input, node output and value_info entry named {@code from} at {@code to}. */
  private static void renameTensor(GraphProto.Builder graph, String from, String to) {
    for (NodeProto.Builder node : graph.getNodeBuilderList()) {
      for (int i = 0; i < node.getInputCount(); i++) {
        if (node.getInput(i).equals(from)) {
          node.setInput(i, to);
        }
      }
      for (int i = 0; i < node.getOutputCount(); i++) {
        if (node.getOutput(i).equals(from)) {
          node.setOutput(i, to);
        }
      }
    }
    graph.getValueInfoBuilderList().stream().filter(v -> v.getName().equals(from)).forEach(v -> v.setName(to));
  }

  /** Drops nodes and initializers no remaining graph output depends on (nodes are topologically sorted). */
  private static void pruneUnusedNodes(GraphProto.Builder graph) {
    Set<String> needed = graph.getOutputList().stream().map(ValueInfoProto::getName).collect(Collectors.toSet());
    List<NodeProto> kept = new ArrayList<>();
    for (int i = graph.getNodeCount() - 1; i >= 0; i--) {
      NodeProto node = graph.getNode(i);
      if (node.getOutputList().stream().anyMatch(needed::contains)) {
        kept.add(0, node);
        needed.addAll(node.getInputList());
      }
    }
    List<TensorProto> initializers = graph.getInitializerList().stream().filter(t -> needed.contains(t.getName())).toList();
    graph.clearNode().addAllNode(kept).clearInitializer().addAllInitializer(initializers);
  }

  private static NodeProto.Builder node(String opType, List<String> inputs, String output) {
    return NodeProto.newBuilder().setOpType(opType).setName(output + "/" + opType).addAllInput(inputs).addOutput(output);
  }

  private static AttributeProto intAttribute(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
  }

  private static TensorProto int64Scalar(String name, long value) {
    // No dims: a rank-0 tensor.
    return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE).addInt64Data(value).build();
  }

  private static TensorProto floatTensor(String name, float[] values, long... dims) {
    TensorProto.Builder tensor = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
    for (long dim : dims) {
      tensor.addDims(dim);
    }
    for (float value : values) {
      tensor.addFloatData(value);
    }
    return tensor.build();
  }

  private static ValueInfoProto tensorInfo(String name, int elemType, TensorShapeProto.Dimension... dims) {
    TensorShapeProto shape = TensorShapeProto.newBuilder().addAllDim(Arrays.asList(dims)).build();
    TypeProto.Tensor tensor = TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape).build();
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
  }

  /** The batch dimension of the token output, so pooler_output shares its symbolic name. */
  private static TensorShapeProto.Dimension batchDim(ValueInfoProto tokens) {
    TensorShapeProto shape = tokens.getType().getTensorType().getShape();
    return shape.getDimCount() > 0 ? shape.getDim(0) : symbolic("batch");
  }

  private static TensorShapeProto.Dimension symbolic(String name) {
    return TensorShapeProto.Dimension.newBuilder().setDimParam(name).build();
  }

  private static TensorShapeProto.Dimension fixed(long size) {
    return TensorShapeProto.Dimension.newBuilder().setDimValue(size).build();
  }

  private static float[] gaussian(Random random, int count) {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = (float) (random.nextGaussian() * INIT_STDDEV);
    }
    return values;
  }
}
