package org.kluespark.convert;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.synth.ModelPreset;
import org.kluespark.synth.SyntheticWeights;
import org.kluespark.testing.TestVectors;
import org.kluespark.testing.reference.ReferenceEncoder;
import org.kluespark.testing.reference.ReferenceOutput;

/**
 * Converted graphs against the float64 Java reference forward pass (no ONNX involved) at the published
 * shapes of klue/bert-base and klue/roberta-small with random weights: a ragged batch holding single
 * texts and a pair, every output compared on every real token.
 *
 * <p>Tolerances: 1e-4 max-abs for float32 weights; 1e-2 for float16 weights (the reference keeps the
 * float32 weights, so this bounds the rounding the half-weight export adds).
 */
class ConversionParityTest {
  static final double FLOAT32_TOLERANCE = 1e-4;
  static final double FLOAT16_TOLERANCE = 1e-2;
  /** Weights wider than BERT's 0.02 init, so attention is far from uniform and errors would show. */
  static final double STDDEV = 0.05;

  @TempDir Path dir;

  @Test
  void kluBertBaseShapesMatchTheReference() throws Exception {
    Map<String, Double> diffs = compare(ModelPreset.KLUE_BERT_BASE.config(), false);
    System.out.println("klue-bert-base float32 max-abs vs float64 reference: " + diffs);
    assertThat(diffs.values()).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(FLOAT32_TOLERANCE));
  }

  @Test
  void kluRobertaSmallShapesMatchTheReference() throws Exception {
    Map<String, Double> diffs = compare(ModelPreset.KLUE_ROBERTA_SMALL.config(), false);
    System.out.println("klue-roberta-small float32 max-abs vs float64 reference: " + diffs);
    assertThat(diffs.values()).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(FLOAT32_TOLERANCE));
  }

  @Test
  void halfWeightsStayWithinTheFloat16Tolerance() throws Exception {
    Map<String, Double> diffs = compare(ModelPreset.KLUE_ROBERTA_SMALL.config(), true);
    System.out.println("klue-roberta-small float16 weights max-abs vs float64 reference: " + diffs);
    assertThat(diffs.values()).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(FLOAT16_TOLERANCE));
    assertThat(diffs.get("last_hidden_state")).as("half weights must actually be rounded").isGreaterThan(0.0);
  }

  private Map<String, Double> compare(EncoderConfig config, boolean halfWeights) throws Exception {
    EncoderWeights weights = EncoderWeights.of(config, SyntheticWeights.generate(config, 7, true, STDDEV), "synthetic");
    ModelProto model = EncoderGraphWriter.write(weights, ExportOptions.defaults().withHalfWeights(halfWeights), Map.of());
    Path bundle = dir.resolve(halfWeights ? "fp16" : "fp32");
    OnnxModelFiles.write(model, bundle, ExportOptions.DEFAULT_EXTERNAL_DATA_THRESHOLD);
    model = null; // let the protobuf copy of the weights go before ONNX Runtime loads its own

    Batch batch = Batch.ragged(config, new int[] {19, 7, 12, 3}, 2);
    ReferenceOutput expected = ReferenceEncoder.forward(weights, batch.ids, batch.mask,
        config.hasTokenTypeInput() ? batch.types : null);
    Map<String, Double> diffs = new java.util.LinkedHashMap<>();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session = env.createSession(bundle.resolve("model.onnx").toString(), new OrtSession.SessionOptions());
        OrtSession.Result result = run(session, batch, config.hasTokenTypeInput())) {
      diffs.put("last_hidden_state", TestVectors.maxAbs((float[][][]) result.get("last_hidden_state").get().getValue(),
          expected.lastHiddenState(), batch.mask));
      diffs.put("pooler_output", TestVectors.maxAbs((float[][]) result.get("pooler_output").get().getValue(), expected.pooler()));
      for (int layer = 0; layer <= config.numLayers(); layer++) {
        diffs.put("hidden_states." + layer, TestVectors.maxAbs(
            (float[][][]) result.get("hidden_states." + layer).get().getValue(), expected.hiddenStates().get(layer),
            batch.mask));
      }
    }
    return diffs;
  }

  /** Rows of random real ids padded with the model's pad id; row {@code pairRow} is a text pair. */
  record Batch(long[][] ids, long[][] mask, long[][] types) {
    static Batch ragged(EncoderConfig config, int[] lengths, int pairRow) {
      int width = java.util.Arrays.stream(lengths).max().orElseThrow();
      SplittableRandom random = new SplittableRandom(11);
      long[][] ids = new long[lengths.length][width];
      long[][] mask = new long[lengths.length][width];
      long[][] types = new long[lengths.length][width];
      for (int row = 0; row < lengths.length; row++) {
        for (int t = 0; t < width; t++) {
          boolean real = t < lengths[row];
          long id;
          do {
            id = random.nextInt(5, config.vocabSize());
          } while (id == config.padTokenId());
          ids[row][t] = real ? id : config.padTokenId();
          mask[row][t] = real ? 1 : 0;
          types[row][t] = real && row == pairRow && t >= lengths[row] / 2 && config.typeVocabSize() > 1 ? 1 : 0;
        }
      }
      return new Batch(ids, mask, types);
    }
  }

  private static OrtSession.Result run(OrtSession session, Batch batch, boolean withTypes) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put("input_ids", OnnxTensor.createTensor(env, batch.ids));
      inputs.put("attention_mask", OnnxTensor.createTensor(env, batch.mask));
      if (withTypes) {
        inputs.put("token_type_ids", OnnxTensor.createTensor(env, batch.types));
      }
      return session.run(inputs);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }
}
