package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.kluespark.checkpoint.HalfFloats;

/** Small float32 graphs with MatMul/Gemm weights for the quantizer's tests, and a way to run them. */
final class TinyGraphs {
  static final String X = "x";
  static final String Y = "y";

  private final GraphProto.Builder graph = GraphProto.newBuilder().setName("tiny");
  private final Random random;

  TinyGraphs(long seed) {
    random = new Random(seed);
  }

  TinyGraphs input(String name, TensorProto.DataType type, Object... dims) {
    graph.addInput(valueInfo(name, type, dims));
    return this;
  }

  TinyGraphs output(String name, Object... dims) {
    graph.addOutput(valueInfo(name, TensorProto.DataType.FLOAT, dims));
    return this;
  }

  float[] gaussian(int count, double stddev) {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = (float) (random.nextGaussian() * stddev);
    }
    return values;
  }

  TinyGraphs floats(String name, float[] values, long... dims) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    return initializer(name, TensorProto.DataType.FLOAT, bytes.array(), dims);
  }

  TinyGraphs halves(String name, float[] values, long... dims) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float value : values) {
      bytes.putShort(HalfFloats.floatToHalf(value));
    }
    return initializer(name, TensorProto.DataType.FLOAT16, bytes.array(), dims);
  }

  private TinyGraphs initializer(String name, TensorProto.DataType type, byte[] raw, long... dims) {
    TensorProto.Builder tensor = TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
        .setRawData(ByteString.copyFrom(raw));
    for (long dim : dims) {
      tensor.addDims(dim);
    }
    graph.addInitializer(tensor);
    return this;
  }

  TinyGraphs node(String opType, List<String> inputs, String output, AttributeProto... attributes) {
    NodeProto.Builder node = NodeProto.newBuilder().setOpType(opType).setName(output + "/" + opType)
        .addAllInput(inputs).addOutput(output);
    for (AttributeProto attribute : attributes) {
      node.addAttribute(attribute);
    }
    graph.addNode(node);
    return this;
  }

  static AttributeProto intAttribute(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
  }

  static AttributeProto floatAttribute(String name, float value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
  }

  ModelProto build() {
    return ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).setGraph(graph).build();
  }

  /**
   * x [batch, seq, 16] · W1 [16, 8] + b1, Relu, · W2 [8, 4] → y [batch, seq, 4]; W1 optionally stored as
   * float16 behind a Cast (as {@code convert --fp16} writes weights), row 0 of W1 optionally scaled by
   * {@code outlierRowScale}.
   */
  static ModelProto twoLayer(long seed, boolean halfW1, float outlierRowScale) {
    TinyGraphs g = new TinyGraphs(seed).input(X, TensorProto.DataType.FLOAT, "batch", "seq", 16);
    float[] w1 = g.gaussian(16 * 8, 0.3);
    for (int c = 0; c < 8; c++) {
      w1[c] *= outlierRowScale;
    }
    if (halfW1) {
      g.halves("w1.fp16", w1, 16, 8).node("Cast", List.of("w1.fp16"), "w1",
          intAttribute("to", TensorProto.DataType.FLOAT_VALUE));
    } else {
      g.floats("w1", w1, 16, 8);
    }
    g.floats("b1", g.gaussian(8, 0.1), 8).floats("w2", g.gaussian(8 * 4, 0.3), 8, 4)
        .node("MatMul", List.of(X, "w1"), "h").node("Add", List.of("h", "b1"), "hb")
        .node("Relu", List.of("hb"), "r").node("MatMul", List.of("r", "w2"), Y).output(Y, "batch", "seq", 4);
    return g.build();
  }

  /** Runs {@code model} on one float input {@code x} and returns its output {@code y}. */
  static float[] run(ModelProto model, float[] x, long... shape) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      try (OrtSession session = env.createSession(model.toByteArray(), options);
          OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
          OrtSession.Result result = session.run(Map.of(X, input))) {
        FloatBuffer out = ((OnnxTensor) result.get(Y).orElseThrow()).getFloatBuffer();
        float[] values = new float[out.remaining()];
        out.get(values);
        return values;
      }
    }
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
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
        TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape))).build();
  }
}
