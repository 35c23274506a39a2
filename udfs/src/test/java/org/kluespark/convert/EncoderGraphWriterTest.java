package org.kluespark.convert;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.checkpoint.WeightTensor;
import org.kluespark.synth.SyntheticWeights;

/** Graph-level properties of converted encoders, checked by running them in ONNX Runtime. */
class EncoderGraphWriterTest {
  static final EncoderConfig BERT = new EncoderConfig(EncoderFamily.BERT, 50, 16, 2, 4, 32, "gelu", 20, 2, 1e-12, 0);
  static final EncoderConfig ROBERTA = new EncoderConfig(EncoderFamily.ROBERTA, 50, 12, 2, 3, 24, "gelu", 22, 1, 1e-5, 1);

  @TempDir Path dir;

  @Test
  void outputsHaveTheDocumentedNamesAndShapes() throws Exception {
    EncoderWeights weights = randomWeights(BERT, 1);
    try (OrtSession session = session(EncoderGraphWriter.write(weights, ExportOptions.defaults(), Map.of()))) {
      assertThat(session.getInputNames()).containsExactly("input_ids", "attention_mask", "token_type_ids");
      assertThat(session.getOutputNames()).containsExactly("last_hidden_state", "pooler_output",
          "hidden_states.0", "hidden_states.1", "hidden_states.2");
      long[][] ids = {{2, 7, 9, 3, 0}, {2, 5, 3, 0, 0}};
      try (OrtSession.Result result = run(session, ids, true)) {
        float[][][] last = (float[][][]) result.get("last_hidden_state").get().getValue();
        float[][][] lastLayer = (float[][][]) result.get("hidden_states.2").get().getValue();
        float[][] pooled = (float[][]) result.get("pooler_output").get().getValue();
        assertThat(last.length).isEqualTo(2);
        assertThat(last[0].length).isEqualTo(5);
        assertThat(last[0][0].length).isEqualTo(16);
        assertThat(pooled[1].length).isEqualTo(16);
        assertThat(lastLayer).isDeepEqualTo(last);
      }
    }
  }

  @Test
  void paddingNeverChangesRealTokensForBertAndRoberta() throws Exception {
    for (EncoderConfig config : new EncoderConfig[] {BERT, ROBERTA}) {
      long pad = config.padTokenId();
      try (OrtSession session = session(EncoderGraphWriter.write(randomWeights(config, 2), ExportOptions.defaults(), Map.of()))) {
        float[][][] alone;
        float[][][] padded;
        try (OrtSession.Result result = run(session, new long[][] {{2, 7, 9, 3}}, config.hasTokenTypeInput())) {
          alone = (float[][][]) result.get("last_hidden_state").get().getValue();
        }
        try (OrtSession.Result result = run(session, new long[][] {{2, 7, 9, 3, pad, pad, pad}}, config.hasTokenTypeInput())) {
          padded = (float[][][]) result.get("last_hidden_state").get().getValue();
        }
        for (int t = 0; t < 4; t++) {
          for (int h = 0; h < config.hiddenSize(); h++) {
            assertThat((double) padded[0][t][h]).as(config.family() + " token " + t)
                .isCloseTo(alone[0][t][h], org.assertj.core.data.Offset.offset(1e-5));
          }
        }
      }
    }
  }

  @Test
  void withoutPoolerWeightsThereIsNoPoolerOutputAndHiddenStatesCanBeLeftOut() throws Exception {
    Map<String, WeightTensor> raw = randomTensors(ROBERTA, 3, false);
    EncoderWeights weights = EncoderWeights.of(ROBERTA, raw, "test");
    ModelProto model = EncoderGraphWriter.write(weights, ExportOptions.defaults().withHiddenStates(false), Map.of());
    try (OrtSession session = session(model)) {
      assertThat(session.getInputNames()).containsExactly("input_ids", "attention_mask");
      assertThat(session.getOutputNames()).containsExactly("last_hidden_state");
    }
  }

  @Test
  void externalDataLoadsFromThePathAndEqualsTheInlineModel() throws Exception {
    ModelProto model = EncoderGraphWriter.write(randomWeights(BERT, 4), ExportOptions.defaults(), Map.of());
    Path inline = dir.resolve("inline");
    Path external = dir.resolve("external");
    assertThat(OnnxModelFiles.write(model, inline, ExportOptions.DEFAULT_EXTERNAL_DATA_THRESHOLD)).isFalse();
    assertThat(OnnxModelFiles.write(model, external, 1024)).isTrue();
    assertThat(external.resolve("model.onnx.data")).exists();
    ModelProto graphOnly = ModelProto.parseFrom(Files.readAllBytes(external.resolve("model.onnx")));
    assertThat(graphOnly.getGraph().getInitializerList())
        .allSatisfy(tensor -> assertThat(tensor.getRawData().size()).isLessThan(1024));
    assertThat(Files.size(external.resolve("model.onnx"))).isLessThan(Files.size(inline.resolve("model.onnx")));
    long[][] ids = {{2, 7, 9, 3}, {2, 5, 3, 0}};
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession a = env.createSession(inline.resolve("model.onnx").toString());
        OrtSession b = env.createSession(external.resolve("model.onnx").toString());
        OrtSession.Result ra = run(a, ids, true);
        OrtSession.Result rb = run(b, ids, true)) {
      assertThat((float[][][]) rb.get("last_hidden_state").get().getValue())
          .isDeepEqualTo((float[][][]) ra.get("last_hidden_state").get().getValue());
    }
  }

  static EncoderWeights randomWeights(EncoderConfig config, long seed) {
    return EncoderWeights.of(config, randomTensors(config, seed, true), "random");
  }

  static Map<String, WeightTensor> randomTensors(EncoderConfig config, long seed, boolean pooler) {
    return SyntheticWeights.generate(config, seed, pooler, 0.2);
  }

  static OrtSession session(ModelProto model) throws Exception {
    return OrtEnvironment.getEnvironment().createSession(model.toByteArray(), new OrtSession.SessionOptions());
  }

  /** Runs rows (already padded with the model's pad id) with a mask of real tokens and types 0. */
  static OrtSession.Result run(OrtSession session, long[][] ids, boolean withTypes) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    long pad = ids[0].length; // never an id in these tests' rows when computing masks below
    long[][] mask = new long[ids.length][];
    long[][] types = new long[ids.length][];
    for (int r = 0; r < ids.length; r++) {
      mask[r] = new long[ids[r].length];
      types[r] = new long[ids[r].length];
      boolean ended = false;
      for (int t = 0; t < ids[r].length; t++) {
        ended |= t > 0 && ids[r][t - 1] == 3; // tokens after [SEP] (id 3) are padding in these rows
        mask[r][t] = ended ? 0 : 1;
      }
    }
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put("input_ids", OnnxTensor.createTensor(env, ids));
      inputs.put("attention_mask", OnnxTensor.createTensor(env, mask));
      if (withTypes) {
        inputs.put("token_type_ids", OnnxTensor.createTensor(env, types));
      }
      return session.run(inputs);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }
}
