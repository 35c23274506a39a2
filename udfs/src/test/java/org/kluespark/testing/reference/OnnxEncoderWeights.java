package org.kluespark.testing.reference;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kluespark.checkpoint.WeightTensor;

/**
 * The weights of an ONNX export of a BertModel, under canonical HF names, for cross-checking the
 * reference encoder against ONNX Runtime.
 *
 * <p>torch.onnx keeps module names for weights it stores as they are (biases, LayerNorm, embeddings,
 * a Gemm's weight) but stores each Linear it lowers to {@code MatMul} as an anonymous, transposed
 * {@code [in, out]} initializer ({@code onnx::MatMul_885}). Those are named by graph structure: the
 * {@code Add} that consumes the MatMul's output adds the Linear's named bias
 * ({@code encoder.layer.0.attention.self.query.bias}), whose name gives the weight's.
 */
public final class OnnxEncoderWeights {
  private OnnxEncoderWeights() {}

  /** Float initializers of {@code model} under canonical names, Linear weights as {@code [out, in]}. */
  public static Map<String, WeightTensor> read(Path model) {
    ModelProto proto;
    try (InputStream in = Files.newInputStream(model)) {
      proto = ModelProto.parseFrom(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the ONNX model " + model, e);
    }
    Map<String, TensorProto> initializers = new LinkedHashMap<>();
    for (TensorProto tensor : proto.getGraph().getInitializerList()) {
      if (tensor.getDataType() == TensorProto.DataType.FLOAT_VALUE) {
        initializers.put(tensor.getName(), tensor);
      }
    }
    Map<String, List<NodeProto>> consumers = new HashMap<>();
    for (NodeProto node : proto.getGraph().getNodeList()) {
      for (String input : node.getInputList()) {
        consumers.computeIfAbsent(input, key -> new ArrayList<>()).add(node);
      }
    }
    Map<String, WeightTensor> weights = new LinkedHashMap<>();
    for (TensorProto tensor : initializers.values()) {
      WeightTensor weight = canonical(tensor, consumers.getOrDefault(tensor.getName(), List.of()), consumers,
          initializers, model);
      if (weight != null) {
        weights.put(weight.name(), weight);
      }
    }
    return weights;
  }

  private static WeightTensor canonical(TensorProto tensor, List<NodeProto> users,
      Map<String, List<NodeProto>> consumers, Map<String, TensorProto> initializers, Path model) {
    float[] values = floats(tensor, model);
    long[] shape = tensor.getDimsList().stream().mapToLong(Long::longValue).toArray();
    for (NodeProto user : users) {
      boolean isRightOperand = user.getInputCount() > 1 && user.getInput(1).equals(tensor.getName());
      if (user.getOpType().equals("MatMul") && isRightOperand) {
        String bias = biasAddedTo(user.getOutput(0), consumers, initializers);
        if (bias == null) {
          throw new IllegalStateException(model + ": MatMul " + user.getName() + " with weight " + tensor.getName()
              + " is not followed by an Add of a named bias; cannot tell which Linear it is");
        }
        String name = bias.substring(0, bias.length() - ".bias".length()) + ".weight";
        return transpose(name, shape, values);
      }
      if (user.getOpType().equals("Gemm") && isRightOperand && !transB(user)) {
        return transpose(tensor.getName(), shape, values);
      }
    }
    return new WeightTensor(tensor.getName(), shape, values);
  }

  /** The name of the bias initializer an Add adds to {@code matmulOutput}, or null. */
  private static String biasAddedTo(String matmulOutput, Map<String, List<NodeProto>> consumers,
      Map<String, TensorProto> initializers) {
    for (NodeProto node : consumers.getOrDefault(matmulOutput, List.of())) {
      if (node.getOpType().equals("Add")) {
        for (String input : node.getInputList()) {
          if (!input.equals(matmulOutput) && initializers.containsKey(input) && input.endsWith(".bias")) {
            return input;
          }
        }
      }
    }
    return null;
  }

  private static boolean transB(NodeProto gemm) {
    for (AttributeProto attribute : gemm.getAttributeList()) {
      if (attribute.getName().equals("transB")) {
        return attribute.getI() != 0;
      }
    }
    return false;
  }

  private static WeightTensor transpose(String name, long[] shape, float[] values) {
    int rows = (int) shape[0];
    int cols = (int) shape[1];
    float[] transposed = new float[values.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        transposed[c * rows + r] = values[r * cols + c];
      }
    }
    return new WeightTensor(name, new long[] {cols, rows}, transposed);
  }

  private static float[] floats(TensorProto tensor, Path model) {
    if (tensor.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      throw new IllegalStateException(model + ": initializer " + tensor.getName()
          + " is stored in an external file; use a model with embedded weights");
    }
    if (!tensor.getRawData().isEmpty()) {
      float[] values = new float[tensor.getRawData().size() / Float.BYTES];
      tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
      return values;
    }
    float[] values = new float[tensor.getFloatDataCount()];
    for (int i = 0; i < values.length; i++) {
      values[i] = tensor.getFloatData(i);
    }
    return values;
  }
}
