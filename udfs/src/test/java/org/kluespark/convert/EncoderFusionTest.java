package org.kluespark.convert;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.kluespark.model.Precision;
import org.kluespark.precision.PrecisionConversion;
import org.kluespark.precision.PrecisionOptions;
import org.kluespark.precision.ResidualPrecision;
import org.kluespark.synth.SyntheticWeights;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestVectors;

/**
 * Which of ONNX Runtime's BERT fusions fire on the converter's graphs, read from the model the CPU session
 * optimizer writes back ({@code setOptimizedModelFilePath}) at {@code ALL}, the level
 * {@code OrtSessionFactory} sets. Every layer must become one {@code Attention}, two
 * {@code SkipLayerNormalization} and one {@code BiasGelu}, BERT's embeddings one
 * {@code EmbedLayerNormalization}, with no unfused attention, LayerNorm or GELU left over; and the fused
 * graph must compute what the unfused one does. The op lists are printed for the record.
 */
class EncoderFusionTest {
  static final EncoderConfig BERT = new EncoderConfig(EncoderFamily.BERT, 50, 16, 2, 4, 32, "gelu", 20, 2, 1e-12, 0);
  static final EncoderConfig ROBERTA = new EncoderConfig(EncoderFamily.ROBERTA, 50, 12, 3, 3, 24, "gelu", 22, 1, 1e-5, 1);
  /** Ops that only an unfused attention, LayerNorm, GELU or embedding sum would still need. */
  static final String[] UNFUSED = {"Softmax", "Transpose", "Reshape", "Div", "Erf", "Pow", "ReduceMean", "Sqrt",
      "com.microsoft.FusedMatMul", "com.microsoft.Gelu"};

  @TempDir Path dir;

  /**
   * int8: the float32 graph is fused first, so every layer keeps one fused attention (QAttention: Q/K/V int8 in
   * one node), two SkipLayerNormalization and one Gelu, with the other three projections DynamicQuantizeMatMul
   * (the FFN input's bias folded in from BiasGelu, the others' in SkipLayerNormalization); BERT's embeddings are one
   * EmbedLayerNormalization. Before QAttention the graph was quantized first and no Attention fused.
   */
  static final java.util.function.BiConsumer<Map<String, Integer>, EncoderConfig> FUSED_ON_INT8 = (fused, config) -> {
    int layers = config.numLayers();
    assertThat(fused).containsEntry("com.microsoft.QAttention", layers)
        .containsEntry("com.microsoft.DynamicQuantizeMatMul", 3 * layers)
        .containsEntry("com.microsoft.SkipLayerNormalization", 2 * layers)
        .containsEntry("com.microsoft.Gelu", layers)
        .containsEntry("com.microsoft.FusedGemm", 1)
        .doesNotContainKeys("com.microsoft.Attention", "com.microsoft.BiasGelu", "MatMul", "Erf")
        // the unfused attention, LayerNorm and GELU ops (UNFUSED but Gelu, which is the fused op here)
        .doesNotContainKeys("Softmax", "Transpose", "Reshape", "Div", "Pow", "ReduceMean", "Sqrt",
            "com.microsoft.FusedMatMul");
    if (config.family() == EncoderFamily.BERT) {
      assertThat(fused).containsEntry("com.microsoft.EmbedLayerNormalization", 1)
          .doesNotContainKeys("LayerNormalization");
    }
  };
  static Stream<Arguments> graphs() {
    return Stream.of(
        Arguments.of(BERT, false, true), Arguments.of(BERT, true, true), Arguments.of(BERT, false, false),
        Arguments.of(ROBERTA, false, true), Arguments.of(ROBERTA, true, true), Arguments.of(ROBERTA, false, false));
  }

  @ParameterizedTest(name = "{0} halfWeights={1} hiddenStates={2}")
  @MethodSource("graphs")
  void everyLayerIsFused(EncoderConfig config, boolean halfWeights, boolean hiddenStates) throws Exception {
    ModelProto model = EncoderGraphWriter.write(weights(config),
        ExportOptions.defaults().withHalfWeights(halfWeights).withHiddenStates(hiddenStates), Map.of());
    Path file = write(model);
    Map<String, Integer> written = OptimizedGraph.opCounts(model);
    Map<String, Integer> fused = OptimizedGraph.optimizedOpCounts(file, OptLevel.ALL_OPT, dir);
    System.out.printf("%s halfWeights=%s hiddenStates=%s%n  written: %s%n  fused:   %s%n", config.family(),
        halfWeights, hiddenStates, written, fused);

    int layers = config.numLayers();
    assertThat(fused).as("fused ops").containsEntry("com.microsoft.Attention", layers)
        .containsEntry("com.microsoft.SkipLayerNormalization", 2 * layers)
        .containsEntry("com.microsoft.BiasGelu", layers)
        // per layer the attention output, intermediate and output projections stay MatMuls (their bias goes
        // into SkipLayerNormalization / BiasGelu); the pooler's MatMul + Add + Tanh becomes one FusedGemm
        .containsEntry("MatMul", 3 * layers)
        .containsEntry("com.microsoft.FusedGemm", 1)
        .doesNotContainKeys(UNFUSED);
    if (config.family() == EncoderFamily.BERT) {
      assertThat(fused).containsEntry("com.microsoft.EmbedLayerNormalization", 1).doesNotContainKeys("LayerNormalization");
    } else {
      // RoBERTa's positions (counted from pad + 1 over real tokens) are not EmbedLayerNormalization's 0..n-1
      assertThat(fused).containsEntry("LayerNormalization", 1).doesNotContainKeys("com.microsoft.EmbedLayerNormalization");
    }
  }

  /**
   * What still fuses once the graph is int8 (the quantizer's DynamicQuantizeMatMul projections). Asserted as found,
   * so a change shows.
   */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("precisions")
  void whatFusesOnInt8Graphs(EncoderConfig config, Precision precision) throws Exception {
    ModelProto model = PrecisionConversion.convert(EncoderGraphWriter.write(weights(config), ExportOptions.defaults(),
        Map.of()), new PrecisionOptions(precision, false), "synthetic").model();
    Map<String, Integer> fused = OptimizedGraph.optimizedOpCounts(write(model), OptLevel.ALL_OPT, dir);
    System.out.printf("%s %s fused: %s%n", config.family(), precision.paramValue(), fused);
    FUSED_ON_INT8.accept(fused, config);
  }

  static Stream<Arguments> precisions() {
    return Stream.of(Arguments.of(BERT, Precision.INT8), Arguments.of(ROBERTA, Precision.INT8));
  }

  /**
   * fp16 graphs are fused in float32 by ONNX Runtime's optimizer and then converted, so the file itself carries
   * the fused ops taking float16 (what CUDA runs; not checked here), with nothing left of the unfused attention,
   * LayerNorm or GELU and no op that only the CPU provider runs (the pooler's FusedGemm is written as Gemm + Tanh).
   * The CPU provider keeps the fused ops when it loads the file (it wraps them in casts to its float32 kernels).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("families")
  void fp16GraphsCarryTheFusedOps(EncoderConfig config) throws Exception {
    ModelProto model = PrecisionConversion.convert(EncoderGraphWriter.write(weights(config), ExportOptions.defaults(),
        Map.of()), new PrecisionOptions(Precision.FP16, false), "synthetic").model();
    Map<String, Integer> written = OptimizedGraph.opCounts(model);
    Map<String, Integer> fused = OptimizedGraph.optimizedOpCounts(write(model), OptLevel.ALL_OPT, dir);
    System.out.printf("%s fp16%n  written: %s%n  fused:   %s%n", config.family(), written, fused);
    int layers = config.numLayers();
    for (Map<String, Integer> ops : List.of(written, fused)) {
      assertThat(ops).containsEntry("com.microsoft.Attention", layers)
          .containsEntry("com.microsoft.SkipLayerNormalization", 2 * layers)
          .containsEntry("com.microsoft.BiasGelu", layers)
          .containsEntry("MatMul", 3 * layers)
          .doesNotContainKeys(UNFUSED)
          .doesNotContainKeys("Softmax", "Erf", "ReduceMean", "Pow", "Sqrt");
      if (config.family() == EncoderFamily.BERT) {
        assertThat(ops).containsEntry("com.microsoft.EmbedLayerNormalization", 1).doesNotContainKeys("LayerNormalization");
      } else {
        assertThat(ops).containsEntry("LayerNormalization", 1).doesNotContainKeys("com.microsoft.EmbedLayerNormalization");
      }
    }
    // as written: runnable on CUDA (Gemm + Tanh, not the CPU's FusedGemm); no float32 island, so the only casts
    // between float types are the float32 outputs'
    assertThat(written).containsEntry("Gemm", 1).containsEntry("Tanh", 1).doesNotContainKeys("com.microsoft.FusedGemm");
    // with the residual stream in half too (the default keeps it float32: Float16ConverterTest), nothing else
    ModelProto allHalf = PrecisionConversion.convert(EncoderGraphWriter.write(weights(config), ExportOptions.defaults(),
        Map.of()), new PrecisionOptions(Precision.FP16, org.kluespark.precision.Int8Options.defaults(),
        ResidualPrecision.FLOAT16), "synthetic").model();
    Map<String, Integer> allHalfOps = new java.util.TreeMap<>(OptimizedGraph.opCounts(allHalf));
    Map<String, Integer> writtenOps = new java.util.TreeMap<>(written);
    allHalfOps.remove("Cast");
    writtenOps.remove("Cast");
    assertThat(allHalfOps).as("the same ops but casts").isEqualTo(writtenOps);
    assertThat(allHalf.getGraph().getNodeList().stream().filter(node -> node.getOpType().equals("Cast"))
        .map(node -> node.getAttribute(0).getI()))
        .filteredOn(to -> to == TensorProto.DataType.FLOAT_VALUE || to == TensorProto.DataType.FLOAT16_VALUE)
        .hasSize(allHalf.getGraph().getOutputCount()).containsOnly((long) TensorProto.DataType.FLOAT_VALUE);
  }

  static Stream<EncoderConfig> families() {
    return Stream.of(BERT, ROBERTA);
  }

  @Test
  void fusedGraphComputesWhatTheUnfusedOneDoes() throws Exception {
    for (EncoderConfig config : new EncoderConfig[] {BERT, ROBERTA}) {
      Path file = write(EncoderGraphWriter.write(weights(config), ExportOptions.defaults(), Map.of()));
      long pad = config.padTokenId();
      // a ragged batch: row 1 is padded, so the mask matters inside the fused Attention
      long[][] ids = {{2, 7, 9, 11, 3}, {2, 5, 3, pad, pad}};
      long[][] mask = {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}};
      Map<String, float[][][]> fused = run(file, OptLevel.ALL_OPT, ids, mask, config.hasTokenTypeInput());
      Map<String, float[][][]> plain = run(file, OptLevel.NO_OPT, ids, mask, config.hasTokenTypeInput());
      for (String output : plain.keySet()) {
        // over every position, padding included: the outputs must not depend on how the graph was fused
        double max = TestVectors.maxAbs(fused.get(output), plain.get(output));
        System.out.printf("%s %s fused vs unfused max-abs %.2e%n", config.family(), output, max);
        assertThat(max).as(config.family() + " " + output).isLessThanOrEqualTo(1e-5);
      }
    }
  }

  @Test
  void listsWhatFiresOnTheBuiltInMiniLm() throws Exception {
    Path file = TestModels.minilmDir().resolve("model.onnx");
    ModelProto model = ModelProto.parseFrom(Files.readAllBytes(file));
    Map<String, Integer> fused = OptimizedGraph.optimizedOpCounts(file, OptLevel.ALL_OPT, dir);
    System.out.printf("minilm (opset %d)%n  written: %s%n  fused:   %s%n", model.getOpsetImport(0).getVersion(),
        OptimizedGraph.opCounts(model), fused);
    // The torch export's LayerNorms and GELUs fuse; its attention (opset 14: Unsqueeze takes axes as an input)
    // and therefore its embeddings and SkipLayerNorms do not. The file is used as shipped.
    assertThat(fused).containsEntry("LayerNormalization", 13).containsEntry("com.microsoft.BiasGelu", 6)
        .doesNotContainKeys("com.microsoft.Attention");
  }

  private static EncoderWeights weights(EncoderConfig config) {
    return EncoderWeights.of(config, SyntheticWeights.generate(config, 5, true, 0.2), "random");
  }

  private Path write(ModelProto model) throws Exception {
    Path file = Files.createTempFile(dir, "model", ".onnx");
    Files.write(file, model.toByteArray());
    return file;
  }

  /** Every output of {@code file} run at {@code level} (a pooler output as one [1][batch][hidden] block). */
  static Map<String, float[][][]> run(Path file, OptLevel level, long[][] ids, long[][] mask, boolean types)
      throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(level);
      inputs.put("input_ids", OnnxTensor.createTensor(env, ids));
      inputs.put("attention_mask", OnnxTensor.createTensor(env, mask));
      if (types) {
        inputs.put("token_type_ids", OnnxTensor.createTensor(env, new long[ids.length][ids[0].length]));
      }
      try (OrtSession session = env.createSession(file.toString(), options);
          OrtSession.Result result = session.run(inputs)) {
        Map<String, float[][][]> outputs = new HashMap<>();
        for (String name : session.getOutputNames()) {
          Object value = result.get(name).orElseThrow().getValue();
          outputs.put(name, value instanceof float[][] pooled ? new float[][][] {pooled} : (float[][][]) value);
        }
        return outputs;
      }
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

}
