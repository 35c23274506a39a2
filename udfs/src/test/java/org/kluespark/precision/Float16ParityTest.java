package org.kluespark.precision;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderGraphWriter;
import org.kluespark.convert.EncoderWeights;
import org.kluespark.convert.ExportOptions;
import org.kluespark.synth.ModelPreset;
import org.kluespark.synth.SyntheticWeights;
import org.kluespark.testing.reference.ReferenceEncoder;
import org.kluespark.testing.reference.ReferenceOutput;
import org.kluespark.testing.TestVectors;

/**
 * fp16 graphs of the converter's encoders at the published shapes of klue/bert-base (12 layers) and
 * klue/roberta-small (6 layers), random weights, against the float64 reference: through ONNX Runtime's CPU
 * provider, and the reference's simulated-half mode (every op rounded to float16 outside the float32 islands),
 * which bounds what half arithmetic itself costs. A ragged batch with a pair; every output on every real token.
 *
 * <p>What the CPU provider rounds (read from the graph it optimizes): it has float16 kernels for
 * SkipLayerNormalization and LayerNormalization, and runs each Attention → MatMul and MatMul → BiasGelu → MatMul
 * chain as one float32 region with casts at its ends, from float32 copies of the half weights. So it rounds the
 * weights and every layer norm's inputs and output (two per layer), not every op's output as CUDA does (the
 * simulated half reference does that). The graph before fusion kept LayerNorm and Softmax float32, the provider
 * dropped most float32-half-float32 cast pairs, and it met 1e-2 with 7.0e-3; the fused graph gives 1.02e-2 on
 * klue-bert-base's last_hidden_state and 1.21e-2 on its pooler (the simulated half reference: 9.8e-3), hence
 * 1.5e-2 here. Measured without a way under 1e-2 that leaves the GPU path fast (klue-bert-base, last_hidden_state
 * / pooler; weight seeds 1-3 with batch seeds 1-3 in brackets, baseline 7.8-9.8e-3 / 9.2e-3-1.22e-2):
 * <ul>
 *   <li>the final SkipLayerNormalization float32 (inputs cast up): 1.02e-2 / 1.18e-2; with the pooler's Gather,
 *       Gemm and Tanh float32 too: 1.02e-2 / 1.19e-2 (7.7-9.1e-3 / 8.8e-3-1.14e-2); the pooler alone: 1.02e-2 /
 *       1.19e-2. The last roundings are a small part of an error built up over 12 layers; the pooler's Gemm
 *       multiplies the [CLS] row's error by about 0.05 · √768 ≈ 1.4.</li>
 *   <li>one op type float32 at a time: Attention 9.2e-3 / 9.2e-3 (but 1.21e-2 pooler at seed 1), BiasGelu
 *       9.2e-3 / 9.6e-3, MatMul 8.3e-3 / 7.5e-3, EmbedLayerNormalization 8.5e-3 / 9.1e-3 (but 1.25e-2 at seed 3):
 *       within the spread between seeds, not a fix.</li>
 *   <li>every SkipLayerNormalization float32: 5.5e-3 / 7.3e-3 (6.0-6.8e-3 / 7.0-8.5e-3), but on the CPU that
 *       leaves little but the weights rounded (the provider drops the casts around it, so no activation of a
 *       layer is rounded), which a GPU would not do, and on a GPU it adds four casts and float32 traffic per layer
 *       around the fused kernels. Half weights alone thus give about 5.5e-3.</li>
 * </ul>
 */
class Float16ParityTest {
  static final double ORT_TOLERANCE = 1.5e-2;
  static final double SIMULATED_TOLERANCE = 2e-2;
  /** As ConversionParityTest: weights wider than BERT's 0.02 init, so attention is far from uniform. */
  static final double STDDEV = 0.05;

  @TempDir Path dir;

  @Test
  void kluBertBaseHalfGraphMatchesTheReference() throws Exception {
    check(ModelPreset.KLUE_BERT_BASE.config(), "klue-bert-base");
  }

  @Test
  void kluRobertaSmallHalfGraphMatchesTheReference() throws Exception {
    check(ModelPreset.KLUE_ROBERTA_SMALL.config(), "klue-roberta-small");
  }

  private void check(EncoderConfig config, String name) throws Exception {
    EncoderWeights weights = EncoderWeights.of(config, SyntheticWeights.generate(config, 7, true, STDDEV), "synthetic");
    Path modelFile = dir.resolve(name + "-fp16/model.onnx");
    ModelProto fp32 = EncoderGraphWriter.write(weights, ExportOptions.defaults(), Map.of());
    EncoderRuns.write(Float16Converter.convert(fp32, name).model(), modelFile);
    fp32 = null; // the protobuf copies of the weights go before ONNX Runtime loads its own

    EncoderRuns.Batch batch = EncoderRuns.Batch.ragged(config, new int[] {19, 7, 12, 3}, 2, 11);
    long[][] types = config.hasTokenTypeInput() ? batch.types() : null;
    ReferenceOutput exact = ReferenceEncoder.forward(weights, batch.ids(), batch.mask(), types);
    ReferenceOutput simulated = ReferenceEncoder.forwardSimulatedHalf(weights, batch.ids(), batch.mask(), types);
    Map<String, Object> ort = EncoderRuns.run(modelFile, batch, config.hasTokenTypeInput());

    Map<String, Double> ortVsExact = new LinkedHashMap<>();
    Map<String, Double> simulatedVsExact = new LinkedHashMap<>();
    Map<String, Double> ortVsSimulated = new LinkedHashMap<>();
    ortVsExact.put("last_hidden_state", TestVectors.maxAbs((float[][][]) ort.get("last_hidden_state"),
        exact.lastHiddenState(), batch.mask()));
    ortVsExact.put("pooler_output", TestVectors.maxAbs((float[][]) ort.get("pooler_output"), exact.pooler()));
    simulatedVsExact.put("last_hidden_state", TestVectors.maxAbs(simulated.lastHiddenState(), exact.lastHiddenState(),
        batch.mask()));
    simulatedVsExact.put("pooler_output", TestVectors.maxAbs(simulated.pooler(), exact.pooler()));
    ortVsSimulated.put("last_hidden_state", TestVectors.maxAbs((float[][][]) ort.get("last_hidden_state"),
        simulated.lastHiddenState(), batch.mask()));
    ortVsSimulated.put("pooler_output", TestVectors.maxAbs((float[][]) ort.get("pooler_output"), simulated.pooler()));
    for (int layer = 0; layer <= config.numLayers(); layer++) {
      String output = "hidden_states." + layer;
      float[][][] actual = (float[][][]) ort.get(output);
      ortVsExact.put(output, TestVectors.maxAbs(actual, exact.hiddenStates().get(layer), batch.mask()));
      simulatedVsExact.put(output, TestVectors.maxAbs(simulated.hiddenStates().get(layer),
          exact.hiddenStates().get(layer), batch.mask()));
      ortVsSimulated.put(output, TestVectors.maxAbs(actual, simulated.hiddenStates().get(layer), batch.mask()));
    }
    System.out.println(name + " fp16 graph (ONNX Runtime CPU) max-abs vs float64 reference: " + ortVsExact);
    System.out.println(name + " simulated half vs float64 reference: " + simulatedVsExact);
    System.out.println(name + " fp16 graph (ONNX Runtime CPU) vs simulated half: " + ortVsSimulated);

    assertThat(ortVsExact).allSatisfy((output, diff) -> assertThat(diff).as(output).isLessThanOrEqualTo(ORT_TOLERANCE));
    assertThat(simulatedVsExact)
        .allSatisfy((output, diff) -> assertThat(diff).as(output).isLessThanOrEqualTo(SIMULATED_TOLERANCE));
    assertThat(ortVsExact.get("last_hidden_state")).as("the graph must really round to half").isGreaterThan(1e-4);
    assertThat(simulatedVsExact.get("last_hidden_state")).as("the simulation must really round").isGreaterThan(1e-4);
  }
}
