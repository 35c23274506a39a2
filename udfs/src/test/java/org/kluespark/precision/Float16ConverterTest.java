package org.kluespark.precision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kluespark.checkpoint.HalfFloats;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderFamily;
import org.kluespark.convert.EncoderGraphWriter;
import org.kluespark.convert.EncoderWeights;
import org.kluespark.convert.ExportOptions;
import org.kluespark.convert.OnnxModelFiles;
import org.kluespark.synth.SyntheticWeights;
import org.kluespark.testing.TestVectors;

/** What the fp16 graph is made of, padding, the converter's --fp16 graphs, external data, and refusals. */
class Float16ConverterTest {
  static final EncoderConfig BERT = new EncoderConfig(EncoderFamily.BERT, 3000, 32, 2, 4, 64, "gelu", 64, 2, 1e-12, 0);
  static final EncoderConfig ROBERTA =
      new EncoderConfig(EncoderFamily.ROBERTA, 3000, 32, 2, 4, 64, "gelu", 66, 1, 1e-5, 1);

  @TempDir Path dir;

  @Test
  void withAHalfResidualStreamTheFusedGraphComputesInHalfThroughout() {
    Float16Converter.Result result = Float16Converter.convert(fp32(BERT, true), "bert", ResidualPrecision.FLOAT16);
    GraphProto graph = result.model().getGraph();
    Map<String, Integer> types = TensorTypes.infer(graph);

    Map<String, Integer> ops = new java.util.TreeMap<>();
    for (NodeProto node : graph.getNodeList()) {
      ops.merge(OrtFusion.qualified(node), 1, Integer::sum);
      switch (node.getOpType()) {
        // every float input in half: activations, weights, biases, LayerNorm gamma and beta, embedding tables
        case "MatMul", "Gemm", "Tanh", "Attention", "SkipLayerNormalization", "BiasGelu", "EmbedLayerNormalization" ->
            assertThat(node.getInputList()).as(node.getName()).filteredOn(input -> !input.isEmpty())
                .allSatisfy(input -> assertThat(types.get(input))
                    .isIn(DataType.FLOAT16_VALUE, DataType.INT32_VALUE, DataType.INT64_VALUE));
        default -> { }
      }
    }
    assertThat(ops).containsEntry("com.microsoft.Attention", 2).containsEntry("com.microsoft.SkipLayerNormalization", 4)
        .containsEntry("com.microsoft.BiasGelu", 2).containsEntry("com.microsoft.EmbedLayerNormalization", 1)
        .containsEntry("MatMul", 2 * 3).containsEntry("Gemm", 1).containsEntry("Tanh", 1);
    // the ids and the mask reach the fused ops as int32 (ONNX Runtime's casts), never as half
    for (NodeProto node : graph.getNodeList()) {
      if (node.getOpType().equals("Attention")) {
        assertThat(types.get(node.getInput(3))).as("mask_index").isEqualTo(DataType.INT32_VALUE);
      }
    }
    assertThat(graph.getInitializerList()).as("no float32 weights are left")
        .noneMatch(tensor -> tensor.getDataType() == DataType.FLOAT_VALUE);
    long halfInitializers = graph.getInitializerList().stream()
        .filter(tensor -> tensor.getDataType() == DataType.FLOAT16_VALUE).count();
    assertThat(halfInitializers).isEqualTo(Long.parseLong(result.summary().get("float16_initializers")));
    assertThat(halfInitializers).isGreaterThan(20);

    assertThat(graph.getInputList()).extracting(ValueInfoProto::getName)
        .containsExactly("input_ids", "attention_mask", "token_type_ids");
    assertThat(graph.getInputList()).extracting(TensorTypes::elemType).containsOnly(DataType.INT64_VALUE);
    assertThat(graph.getOutputList()).extracting(TensorTypes::elemType).containsOnly(DataType.FLOAT_VALUE);
    assertThat(result.summary().get("residual_stream")).startsWith("float16");
    assertThat(result.summary()).containsEntry("precision", "fp16").containsEntry("source_weights", "float32")
        .containsEntry("float32_ops", "").containsEntry("fused_ops", "com.microsoft.Attention=2, "
            + "com.microsoft.BiasGelu=2, com.microsoft.EmbedLayerNormalization=1, com.microsoft.SkipLayerNormalization=4");
    assertThat(result.summary().get("graph_fusion")).startsWith("ONNX Runtime 1.28").contains("EXTENDED");
    assertThat(result.model().getMetadataPropsList()).anyMatch(entry ->
        entry.getKey().equals(Float16Converter.COMPUTE_METADATA) && entry.getValue().equals("float16"));
  }

  /**
   * The file must run on CUDA as written: none of the ops ONNX Runtime's CPU optimizer may write that only its CPU
   * provider has kernels for (OrtFusion.CPU_ONLY_OPS: FusedGemm, FusedConv, NhwcMaxPool, QLinear*, the nchwc
   * domain). The pooler's Gemm + Tanh, which the CPU optimizer fuses into FusedGemm, is written unfused.
   */
  @ParameterizedTest
  @ValueSource(strings = {"bert", "roberta"})
  void theFileHoldsNoCpuOnlyOp(String family) {
    ModelProto half = Float16Converter.convert(fp32(family.equals("bert") ? BERT : ROBERTA, true), family).model();
    assertThat(half.getGraph().getNodeList()).extracting(OrtFusion::qualified)
        .doesNotContainAnyElementsOf(OrtFusion.CPU_ONLY_OPS).contains("Gemm", "Tanh");
    assertThat(half.getGraph().getNodeList()).noneMatch(node -> node.getDomain().equals(OrtFusion.CPU_ONLY_DOMAIN));
    // only the opsets the nodes use (ONNX Runtime's optimizer writes every domain it knows)
    assertThat(half.getOpsetImportList()).extracting(opset -> opset.getDomain())
        .containsExactlyInAnyOrder("", "com.microsoft");
  }

  @ParameterizedTest
  @ValueSource(strings = {"bert", "roberta"})
  void paddingDoesNotChangeRealTokens(String family) throws Exception {
    EncoderConfig config = family.equals("bert") ? BERT : ROBERTA;
    Path model = EncoderRuns.write(Float16Converter.convert(fp32(config, true), family).model(),
        dir.resolve(family + "/model.onnx"));
    EncoderRuns.Batch batch = EncoderRuns.Batch.ragged(config, new int[] {9, 3, 6}, 2, 5);
    Map<String, Object> padded = EncoderRuns.run(model, batch, config.hasTokenTypeInput());
    double worst = 0;
    for (int row = 0; row < 3; row++) {
      Map<String, Object> alone = EncoderRuns.run(model, batch.row(row), config.hasTokenTypeInput());
      float[][] aloneStates = ((float[][][]) alone.get("last_hidden_state"))[0];
      float[][] paddedStates = ((float[][][]) padded.get("last_hidden_state"))[row];
      for (int t = 0; t < aloneStates.length; t++) {
        for (int h = 0; h < aloneStates[t].length; h++) {
          worst = Math.max(worst, Math.abs(aloneStates[t][h] - paddedStates[t][h]));
          assertThat(paddedStates[t][h]).isFinite();
        }
      }
    }
    System.out.println(family + " fp16: padded vs alone, max-abs over real tokens " + worst);
    assertThat(worst).isLessThanOrEqualTo(1e-5);
  }

  /**
   * The default: the residual stream's layer norms compute and write float32 from float32 inputs (the half
   * product cast up, the float32 residual), each block reads a half copy of their output, and every weight matrix
   * is still stored half (the embedding tables behind a Cast ONNX Runtime folds on load); only their gamma, beta
   * and bias vectors are float32.
   */
  @Test
  void byDefaultTheResidualStreamStaysFloat32() throws Exception {
    Float16Converter.Result result = Float16Converter.convert(fp32(BERT, true), "bert");
    GraphProto graph = result.model().getGraph();
    Map<String, Integer> types = TensorTypes.infer(graph);
    Map<String, TensorProto> initializers = new HashMap<>();
    graph.getInitializerList().forEach(tensor -> initializers.put(tensor.getName(), tensor));
    Map<String, NodeProto> producers = new HashMap<>();
    graph.getNodeList().forEach(node -> node.getOutputList().forEach(output -> producers.put(output, node)));

    Set<String> residualNorms = Set.of("SkipLayerNormalization", "EmbedLayerNormalization");
    int norms = 0;
    for (NodeProto node : graph.getNodeList()) {
      boolean residualNorm = residualNorms.contains(node.getOpType());
      switch (node.getOpType()) {
        case "MatMul", "Gemm", "Tanh", "Attention", "BiasGelu", "SkipLayerNormalization", "EmbedLayerNormalization" -> {
          int floatType = residualNorm ? DataType.FLOAT_VALUE : DataType.FLOAT16_VALUE;
          assertThat(node.getInputList()).as(node.getName()).filteredOn(input -> !input.isEmpty())
              .allSatisfy(input -> assertThat(types.get(input))
                  .isIn(floatType, DataType.INT32_VALUE, DataType.INT64_VALUE));
          assertThat(types.get(node.getOutput(0))).as(node.getName()).isEqualTo(floatType);
        }
        default -> { }
      }
      if (residualNorm) {
        norms++;
        for (String input : node.getInputList()) {
          NodeProto cast = producers.get(input);
          if (cast != null && cast.getOpType().equals("Cast") && types.get(input) == DataType.FLOAT_VALUE) {
            // a half activation or table cast up, never a float32 value rounded
            assertThat(types.get(cast.getInput(0))).as(input).isEqualTo(DataType.FLOAT16_VALUE);
          }
        }
      }
    }
    assertThat(norms).isEqualTo(1 + 2 * BERT.numLayers());
    assertThat(graph.getInitializerList()).filteredOn(tensor -> tensor.getDataType() == DataType.FLOAT_VALUE)
        .as("float32 initializers: the residual norms' vectors only").isNotEmpty()
        .allSatisfy(tensor -> assertThat(tensor.getDimsCount()).as(tensor.getName()).isEqualTo(1));
    assertThat(graph.getNodeList()).filteredOn(node -> node.getOpType().equals("Cast")
        && initializers.containsKey(node.getInput(0))).as("the embedding tables, cast up once")
        .hasSize(3).allSatisfy(cast -> assertThat(initializers.get(cast.getInput(0)).getDataType())
            .isEqualTo(DataType.FLOAT16_VALUE));
    assertThat(result.summary().get("residual_stream")).startsWith("float32");
    assertThat(result.summary().get("float32_ops")).isEqualTo("EmbedLayerNormalization=1, SkipLayerNormalization=4");

    // the same half weights as the half-residual graph, and the stream's roundings are all it changes
    Float16Converter.Result halfResidual = Float16Converter.convert(fp32(BERT, true), "bert", ResidualPrecision.FLOAT16);
    Map<String, com.google.protobuf.ByteString> bits = halfBits(result.model());
    assertThat(halfResidual.model().getGraph().getInitializerList())
        .filteredOn(tensor -> tensor.getDataType() == DataType.FLOAT16_VALUE && tensor.getDimsCount() >= 2)
        .hasSizeGreaterThan(10).allSatisfy(tensor -> assertThat(bits.get(tensor.getName())).as(tensor.getName())
            .isEqualTo(tensor.getRawData()));
    EncoderRuns.Batch batch = EncoderRuns.Batch.ragged(BERT, new int[] {8, 5}, 1, 3);
    float[][][] a = (float[][][]) EncoderRuns.run(EncoderRuns.write(result.model(), dir.resolve("f32/model.onnx")),
        batch, true).get("last_hidden_state");
    float[][][] b = (float[][][]) EncoderRuns.run(EncoderRuns.write(halfResidual.model(),
        dir.resolve("f16/model.onnx")), batch, true).get("last_hidden_state");
    double difference = TestVectors.maxAbs(a, b);
    System.out.println("bert fp16: float32 vs float16 residual stream, max-abs " + difference);
    assertThat(difference).isGreaterThan(0).isLessThanOrEqualTo(1e-2);
  }

  @Test
  void graphsWithStoredHalfWeightsConvertAndKeepTheirWeights() throws Exception {
    ModelProto stored = EncoderGraphWriter.write(weights(BERT), ExportOptions.defaults().withHalfWeights(true), Map.of());
    Float16Converter.Result fromStored = Float16Converter.convert(stored, "stored-half");
    Float16Converter.Result fromFp32 = Float16Converter.convert(fp32(BERT, true), "fp32");

    assertThat(fromStored.summary().get("source_weights")).startsWith("float16");
    GraphProto graph = fromStored.model().getGraph();
    Set<String> initializers = new HashSet<>();
    graph.getInitializerList().forEach(tensor -> initializers.add(tensor.getName()));
    // the converter's Casts are gone; only the float32 residual stream's embedding tables are cast up (for
    // EmbedLayerNormalization: the word, position and token type tables)
    assertThat(graph.getNodeList()).filteredOn(node -> node.getOpType().equals("Cast")
        && initializers.contains(node.getInput(0))).hasSize(3);
    assertThat(Float16Converter.convert(stored, "stored-half", ResidualPrecision.FLOAT16).model().getGraph()
        .getNodeList()).noneMatch(node -> node.getOpType().equals("Cast") && initializers.contains(node.getInput(0)));
    // The same half weights either way (LayerNorm's stay float32, holding the stored half values).
    Map<String, com.google.protobuf.ByteString> storedBits = halfBits(fromStored.model());
    Map<String, com.google.protobuf.ByteString> fp32Bits = halfBits(fromFp32.model());
    assertThat(storedBits.keySet()).isEqualTo(fp32Bits.keySet());
    assertThat(storedBits.keySet()).allMatch(name -> storedBits.get(name).equals(fp32Bits.get(name)), "same half bits");

    EncoderRuns.Batch batch = EncoderRuns.Batch.ragged(BERT, new int[] {8, 5}, 1, 3);
    float[][][] a = (float[][][]) EncoderRuns.run(EncoderRuns.write(fromStored.model(), dir.resolve("s/model.onnx")),
        batch, true).get("last_hidden_state");
    float[][][] b = (float[][][]) EncoderRuns.run(EncoderRuns.write(fromFp32.model(), dir.resolve("f/model.onnx")),
        batch, true).get("last_hidden_state");
    assertThat(TestVectors.maxAbs(a, b)).isLessThanOrEqualTo(1e-2);
  }

  @Test
  void externalDataModelsConvertFromTheirFile() throws Exception {
    ModelProto model = fp32(BERT, true);
    Path external = dir.resolve("external");
    assertThat(OnnxModelFiles.write(model, external, 0)).isTrue();
    assertThat(external.resolve(OnnxModelFiles.EXTERNAL_DATA_FILE)).isRegularFile();

    Float16Converter.Result fromFile = Float16Converter.convert(external.resolve(OnnxModelFiles.MODEL_FILE));
    Float16Converter.Result inline = Float16Converter.convert(model, "inline");
    assertThat(fromFile.model().getGraph().getInitializerList()).noneMatch(OnnxTensors::isExternal);
    assertThat(fromFile.model().getGraph().getInitializerList())
        .containsExactlyInAnyOrderElementsOf(inline.model().getGraph().getInitializerList());

    ModelProto parsed;
    try (InputStream in = Files.newInputStream(external.resolve(OnnxModelFiles.MODEL_FILE))) {
      parsed = ModelProto.parseFrom(in);
    }
    assertThatThrownBy(() -> Float16Converter.convert(parsed, "external/model.onnx"))
        .isInstanceOf(Float16ConversionException.class)
        .hasMessageContaining("external data (model.onnx.data)")
        .hasMessageContaining("Float16Converter.convert(Path)");
  }

  /** Models over 2 GB reach ONNX Runtime's optimizer, and come back from it, with their weights in external data. */
  @Test
  void fusionThroughExternalDataGivesTheSameGraph() {
    ModelProto model = fp32(BERT, true);
    ModelProto inline = OrtFusion.fuse(model, "inline");
    ModelProto external = OrtFusion.fuse(model, "external", 0);
    assertThat(external.getGraph().getInitializerList()).noneMatch(OnnxTensors::isExternal);
    assertThat(contents(external)).isEqualTo(contents(inline)).hasSizeGreaterThan(20);
    assertThat(external.getGraph().getNodeList()).extracting(OrtFusion::qualified)
        .containsExactlyElementsOf(inline.getGraph().getNodeList().stream().map(OrtFusion::qualified).toList())
        .contains("com.microsoft.Attention");
  }

  @Test
  void refusesAGraphThatAlreadyComputesInHalf() {
    ModelProto half = Float16Converter.convert(fp32(BERT, false), "bert").model();
    assertThatThrownBy(() -> Float16Converter.convert(half, "bundle/model.onnx"))
        .isInstanceOf(Float16ConversionException.class)
        .hasMessage("bundle/model.onnx already computes in float16 (metadata kluespark.compute=float16). "
            + "Convert its float32 source instead.");

    ModelProto unlabelled = half.toBuilder().clearMetadataProps().build();
    assertThatThrownBy(() -> Float16Converter.convert(unlabelled, "other.onnx"))
        .isInstanceOf(Float16ConversionException.class)
        .hasMessageStartingWith("other.onnx already computes in float16 (tensor '")
        .hasMessageContaining("is FLOAT16 and is not a stored weight cast to float32");
  }

  @ParameterizedTest
  @ValueSource(strings = {"MatMulInteger", "DynamicQuantizeLinear", "DynamicQuantizeMatMul", "MatMulIntegerToFloat",
      "QuantizeLinear"})
  void refusesQuantizedGraphs(String op) {
    ModelProto model = fp32(BERT, false);
    ModelProto quantized = model.toBuilder().setGraph(model.getGraph().toBuilder()
        .addNode(NodeProto.newBuilder().setOpType(op).setName("q/" + op).addInput("x").addOutput("y"))).build();
    assertThatThrownBy(() -> Float16Converter.convert(quantized, "int8/model.onnx"))
        .isInstanceOf(Float16ConversionException.class)
        .hasMessage("int8/model.onnx is a quantized (int8) graph: node q/" + op + " is " + op + ". Convert the float32 "
            + "model to fp16 instead (kluespark convert CHECKPOINT --output DIR --precision fp16, or the original "
            + "float32 bundle).");
  }

  @Test
  void maskValuesReachingHalfOpsAreClippedToHalfsRange() throws Exception {
    // scores + (1 - mask) * -3.4e38 feeding a half op (no Softmax after it): a plain Cast would give -inf.
    GraphProto.Builder graph = GraphProto.newBuilder().setName("mask")
        .addInput(value("x", DataType.FLOAT, 1, 3)).addInput(value("mask", DataType.INT64, 1, 3))
        .addOutput(value("y", DataType.FLOAT, 1, 3))
        .addInitializer(FloatTensorData.floatTensor("w", List.of(3L, 3L), new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}))
        .addInitializer(FloatTensorData.floatTensor("one", List.of(), new float[] {1}))
        .addInitializer(FloatTensorData.floatTensor("min", List.of(), new float[] {-Float.MAX_VALUE}))
        .addNode(node("MatMul", "scores", "x", "w"))
        .addNode(NodeProto.newBuilder().setOpType("Cast").setName("mask_float").addInput("mask").addOutput("mask_float")
            .addAttribute(ai.onnx.proto.OnnxMl.AttributeProto.newBuilder().setName("to")
                .setType(ai.onnx.proto.OnnxMl.AttributeProto.AttributeType.INT).setI(DataType.FLOAT_VALUE)))
        .addNode(node("Sub", "inverted", "one", "mask_float"))
        .addNode(node("Mul", "bias", "inverted", "min"))
        .addNode(node("Add", "masked", "scores", "bias"))
        .addNode(node("Relu", "y", "masked"));
    ModelProto model = ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
        .addOpsetImport(ai.onnx.proto.OnnxMl.OperatorSetIdProto.newBuilder().setVersion(17)).build();
    ModelProto half = Float16Converter.convert(model, "mask").model();
    assertThat(half.getGraph().getNodeList()).anyMatch(n -> n.getOpType().equals("Clip"));

    // Run it with the masked position's value exposed: Relu(x - 65504) is 0 only because the bias stayed finite.
    Path file = EncoderRuns.write(half, dir.resolve("mask/model.onnx"));
    var env = ai.onnxruntime.OrtEnvironment.getEnvironment();
    try (var options = new ai.onnxruntime.OrtSession.SessionOptions();
        var session = env.createSession(file.toString(), options);
        var x = ai.onnxruntime.OnnxTensor.createTensor(env, new float[][] {{1f, 2f, 3f}});
        var mask = ai.onnxruntime.OnnxTensor.createTensor(env, new long[][] {{1, 1, 0}});
        var result = session.run(Map.of("x", x, "mask", mask))) {
      float[][] y = (float[][]) result.get(0).getValue();
      assertThat(y[0]).containsExactly(1f, 2f, 0f);
    }
  }

  @Test
  void constantsMoveIntoHalfsRangeWithoutChangingSignOrFiniteness() {
    float[] values = {-Float.MAX_VALUE, 70000f, 1e-12f, -1e-12f, 0f, 1.5f, Float.NEGATIVE_INFINITY, Float.NaN};
    long[] clamped = {0, 0};
    TensorProto half = FloatTensorData.toHalf(FloatTensorData.floatTensor("c", List.of((long) values.length), values),
        null, clamped);
    float[] back = FloatTensorData.halfValues(half, null);
    assertThat(back).containsExactly(-65504f, 65504f, 0x1p-24f, -0x1p-24f, 0f, 1.5f, Float.NEGATIVE_INFINITY, Float.NaN);
    assertThat(clamped).containsExactly(2, 2);
    assertThat(HalfFloats.halfToFloat(HalfFloats.floatToHalf(65504f))).isEqualTo(65504f);
  }

  private static EncoderWeights weights(EncoderConfig config) {
    return EncoderWeights.of(config, SyntheticWeights.generate(config, 3, true, 0.05), "synthetic");
  }

  private static ModelProto fp32(EncoderConfig config, boolean pooler) {
    EncoderWeights weights = pooler ? weights(config)
        : EncoderWeights.of(config, SyntheticWeights.generate(config, 3, false, 0.05), "synthetic");
    return EncoderGraphWriter.write(weights, ExportOptions.defaults(), Map.of());
  }

  private static Map<String, Set<String>> readers(GraphProto graph) {
    Map<String, Set<String>> readers = new HashMap<>();
    for (NodeProto node : graph.getNodeList()) {
      node.getInputList().forEach(input -> readers.computeIfAbsent(input, k -> new HashSet<>()).add(node.getOpType()));
    }
    return readers;
  }

  /** Each initializer's name to its type, shape and values (external data read back inline). */
  private static Map<String, List<Object>> contents(ModelProto model) {
    Map<String, List<Object>> contents = new HashMap<>();
    for (TensorProto tensor : model.getGraph().getInitializerList()) {
      contents.put(tensor.getName(), List.of(tensor.getDataType(), tensor.getDimsList(), tensor.getRawData(),
          tensor.getInt64DataList(), tensor.getFloatDataList()));
    }
    return contents;
  }

  private static Map<String, com.google.protobuf.ByteString> halfBits(ModelProto model) {
    Map<String, com.google.protobuf.ByteString> bits = new HashMap<>();
    for (TensorProto tensor : model.getGraph().getInitializerList()) {
      if (tensor.getDataType() == DataType.FLOAT16_VALUE) {
        bits.put(tensor.getName(), tensor.getRawData());
      }
    }
    return bits;
  }

  private static NodeProto node(String op, String output, String... inputs) {
    return NodeProto.newBuilder().setOpType(op).setName(output + "/" + op).addAllInput(List.of(inputs))
        .addOutput(output).build();
  }

  private static ValueInfoProto value(String name, DataType type, long... dims) {
    var shape = ai.onnx.proto.OnnxMl.TensorShapeProto.newBuilder();
    for (long dim : dims) {
      shape.addDim(ai.onnx.proto.OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(dim));
    }
    return ValueInfoProto.newBuilder().setName(name).setType(ai.onnx.proto.OnnxMl.TypeProto.newBuilder()
        .setTensorType(ai.onnx.proto.OnnxMl.TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
        .build();
  }

}
