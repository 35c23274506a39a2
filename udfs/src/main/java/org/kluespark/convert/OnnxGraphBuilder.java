package org.kluespark.convert;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kluespark.checkpoint.HalfFloats;

/**
 * Builds an ONNX graph node by node through the ONNX protobuf classes ({@code ai.onnx.proto.OnnxMl},
 * shipped by tribuo-util-onnx). Each {@link #node} call returns the name of its output, so graph code
 * reads like the forward pass it writes.
 */
final class OnnxGraphBuilder {
  /**
   * Opset 12, not a newer one: ONNX Runtime's attention fusion (1.28) matches the attention-mask path only
   * with the opset 1/11 Unsqueeze (axes as an attribute; opset 13 made them an input) and the opset 9 Cast:
   * the same graph at opset 13 or 17 gets no {@code com.microsoft.Attention} (measured; the fused ops are
   * asserted in {@code EncoderFusionTest}). Nothing the encoder needs is newer than opset 12; LayerNorm, a
   * standard op only from opset 17, is written out and fused back by ONNX Runtime at load.
   */
  static final int OPSET = 12;
  static final int IR_VERSION = 8;

  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private final Map<String, Integer> nameCounts = new HashMap<>();

  OnnxGraphBuilder(String graphName) {
    graph.setName(graphName);
  }

  /** A graph input; {@code dims} are symbolic names ("batch") or sizes (Integer). */
  String input(String name, TensorProto.DataType type, Object... dims) {
    graph.addInput(valueInfo(name, type, dims));
    return name;
  }

  void output(String name, TensorProto.DataType type, Object... dims) {
    graph.addOutput(valueInfo(name, type, dims));
  }

  /**
   * Declares the type and shape of an intermediate value: ONNX shape inference loses symbolic dims through
   * some ops (Expand with a computed shape), and ONNX Runtime's fusions compare them.
   */
  void declare(String name, TensorProto.DataType type, Object... dims) {
    graph.addValueInfo(valueInfo(name, type, dims));
  }

  /** A float32 initializer from row-major values. */
  String floatInitializer(String name, long[] shape, float[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(Math.multiplyExact(values.length, Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    return rawInitializer(name, TensorProto.DataType.FLOAT, shape, bytes.array());
  }

  /** A float16 initializer: values rounded to half precision (IEEE 754 round to nearest even). */
  String halfInitializer(String name, long[] shape, float[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(Math.multiplyExact(values.length, 2)).order(ByteOrder.LITTLE_ENDIAN);
    for (float value : values) {
      bytes.putShort(HalfFloats.floatToHalf(value));
    }
    return rawInitializer(name, TensorProto.DataType.FLOAT16, shape, bytes.array());
  }

  String longInitializer(String name, long... values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asLongBuffer().put(values);
    return rawInitializer(name, TensorProto.DataType.INT64, new long[] {values.length}, bytes.array());
  }

  String longScalar(String name, long value) {
    ByteBuffer bytes = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
    return rawInitializer(name, TensorProto.DataType.INT64, new long[0], bytes.array());
  }

  String floatScalar(String name, float value) {
    return floatInitializer(name, new long[0], new float[] {value});
  }

  private String rawInitializer(String name, TensorProto.DataType type, long[] shape, byte[] raw) {
    TensorProto.Builder tensor = TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
        .setRawData(ByteString.copyFrom(raw));
    for (long dim : shape) {
      tensor.addDims(dim);
    }
    graph.addInitializer(tensor);
    return name;
  }

  /** One node with one output, named after {@code outputHint} (made unique). */
  String node(String opType, String outputHint, List<String> inputs, Attribute... attributes) {
    String output = unique(outputHint);
    nodeWithOutputs(opType, List.of(output), inputs, attributes);
    return output;
  }

  /** One node whose single output has exactly the given name (a graph output). */
  String namedNode(String opType, String output, List<String> inputs, Attribute... attributes) {
    nameCounts.merge(output, 1, Integer::sum);
    nodeWithOutputs(opType, List.of(output), inputs, attributes);
    return output;
  }

  private void nodeWithOutputs(String opType, List<String> outputs, List<String> inputs, Attribute... attributes) {
    NodeProto.Builder node = NodeProto.newBuilder().setOpType(opType).setName(outputs.get(0) + "/" + opType)
        .addAllInput(inputs).addAllOutput(outputs);
    for (Attribute attribute : attributes) {
      node.addAttribute(attribute.proto());
    }
    graph.addNode(node);
  }

  ModelProto build(String producer, String producerVersion, Map<String, String> metadata) {
    ModelProto.Builder model = ModelProto.newBuilder().setIrVersion(IR_VERSION)
        .setProducerName(producer).setProducerVersion(producerVersion)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .setGraph(graph);
    metadata.forEach((key, value) ->
        model.addMetadataProps(ai.onnx.proto.OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value)));
    return model.build();
  }

  private String unique(String hint) {
    int count = nameCounts.merge(hint, 1, Integer::sum);
    return count == 1 ? hint : hint + "_" + count;
  }

  private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (Object dim : dims) {
      TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
      if (dim instanceof Integer size) {
        d.setDimValue(size);
      } else {
        d.setDimParam(dim.toString());
      }
      shape.addDim(d);
    }
    TypeProto.Tensor.Builder tensorType = TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape);
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensorType)).build();
  }

  /** A node attribute. */
  record Attribute(AttributeProto proto) {
    static Attribute of(String name, long value) {
      return new Attribute(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT)
          .setI(value).build());
    }

    static Attribute of(String name, float value) {
      return new Attribute(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT)
          .setF(value).build());
    }

    static Attribute ints(String name, long... values) {
      AttributeProto.Builder proto = AttributeProto.newBuilder().setName(name)
          .setType(AttributeProto.AttributeType.INTS);
      for (long value : values) {
        proto.addInts(value);
      }
      return new Attribute(proto.build());
    }
  }
}
