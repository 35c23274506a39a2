package org.kluespark.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.kluespark.testing.OnnxFixtures.LAST_HIDDEN_STATE;
import static org.kluespark.testing.OnnxFixtures.POOLER_OUTPUT;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kluespark.testing.OnnxFixtures.PoolerHead;

/** Checks each {@link OnnxFixtures} edit against ONNX Runtime itself, on the real MiniLM encoder. */
class OnnxFixturesTest {
  private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
  private static final int HIDDEN = 384;
  private static final long[][] IDS = {{101, 7592, 2088, 102}};

  /** The built-in MiniLM without its BERT pooler: the starting point withPooler expects. */
  private static byte[] encoder;

  @BeforeAll
  static void loadEncoder() {
    encoder = OnnxFixtures.withoutOutput(TestModels.minilm().modelBytes(), POOLER_OUTPUT);
  }

  @Test
  void poolerHeadIsDeterministicPerSeed() {
    PoolerHead head = OnnxFixtures.poolerHead(8, 7);
    assertThat(OnnxFixtures.poolerHead(8, 7).weight()).containsExactly(head.weight());
    assertThat(OnnxFixtures.poolerHead(8, 7).bias()).containsExactly(head.bias());
    assertThat(OnnxFixtures.poolerHead(8, 8).weight()).isNotEqualTo(head.weight());
    assertThat(head.weight()).hasSize(64);
    assertThat(head.bias()).hasSize(8);
  }

  @Test
  void poolerOutputIsTanhOfDenseOverClsState() throws OrtException {
    PoolerHead head = OnnxFixtures.poolerHead(HIDDEN, 42);
    byte[] pooled = OnnxFixtures.withPooler(encoder, head);

    try (OrtSession session = open(pooled); OrtSession original = open(encoder)) {
      assertThat(session.getOutputNames()).containsAll(original.getOutputNames()).contains(POOLER_OUTPUT);
      TensorInfo info = tensorInfo(session.getOutputInfo(), POOLER_OUTPUT);
      assertThat(info.type).isEqualTo(OnnxJavaType.FLOAT);
      assertThat(info.getShape()).containsExactly(-1, HIDDEN);
    }

    Map<String, Object> out = run(pooled, encoderInputs());
    float[] cls = ((float[][][]) out.get(LAST_HIDDEN_STATE))[0][0];
    float[] actual = ((float[][]) out.get(POOLER_OUTPUT))[0];
    assertThat(maxAbsDiff(actual, head.apply(cls))).isLessThanOrEqualTo(1e-5);
  }

  @Test
  void poolerIsRefusedWhenTheModelAlreadyHasOne() {
    PoolerHead head = OnnxFixtures.poolerHead(HIDDEN, 42);

    assertThatThrownBy(() -> OnnxFixtures.withPooler(TestModels.minilm().modelBytes(), head))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(POOLER_OUTPUT);
  }

  @Test
  void withoutOutputDropsTheOutputAndEverythingOnlyItNeeded() throws OrtException {
    try (OrtSession session = open(encoder)) {
      assertThat(session.getOutputNames()).containsExactly(LAST_HIDDEN_STATE);
    }
    // Pruning the added pooler's nodes and initializers gives back the very same model.
    byte[] roundTrip = OnnxFixtures.withoutOutput(OnnxFixtures.withPooler(encoder, OnnxFixtures.poolerHead(HIDDEN, 1)), POOLER_OUTPUT);
    assertThat(roundTrip).isEqualTo(encoder);
  }

  @Test
  void renamedInputIsWhatTheSessionTakes() throws OrtException {
    byte[] renamed = OnnxFixtures.renameInput(encoder, "input_ids", "ids");

    try (OrtSession session = open(renamed)) {
      assertThat(session.getInputNames()).contains("ids").doesNotContain("input_ids");
    }
    Map<String, Object> inputs = encoderInputs();
    inputs.put("ids", inputs.remove("input_ids"));
    assertThat(run(renamed, inputs)).containsKey(LAST_HIDDEN_STATE);
  }

  @Test
  void renamedOutputIsWhatTheSessionProduces() throws OrtException {
    byte[] renamed = OnnxFixtures.renameOutput(encoder, LAST_HIDDEN_STATE, "tokens");

    try (OrtSession session = open(renamed)) {
      assertThat(session.getOutputNames()).contains("tokens").doesNotContain(LAST_HIDDEN_STATE);
    }
    assertThat(run(renamed, encoderInputs())).containsKey("tokens");
  }

  @Test
  void retypedInputIsDeclaredFloatAndStillComputesTheSameStates() throws OrtException {
    byte[] retyped = OnnxFixtures.withInputType(encoder, "input_ids", TensorProto.DataType.FLOAT_VALUE);

    try (OrtSession session = open(retyped)) {
      assertThat(tensorInfo(session.getInputInfo(), "input_ids").type).isEqualTo(OnnxJavaType.FLOAT);
    }
    Map<String, Object> inputs = encoderInputs();
    inputs.put("input_ids", new float[][] {{101f, 7592f, 2088f, 102f}});
    float[] retypedCls = ((float[][][]) run(retyped, inputs).get(LAST_HIDDEN_STATE))[0][0];
    float[] originalCls = ((float[][][]) run(encoder, encoderInputs()).get(LAST_HIDDEN_STATE))[0][0];
    assertThat(maxAbsDiff(retypedCls, originalCls)).isLessThanOrEqualTo(1e-6);
  }

  @Test
  void extraInputIsDeclaredInt64AndIgnored() throws OrtException {
    byte[] extended = OnnxFixtures.withExtraInput(encoder, "position_ids");

    try (OrtSession session = open(extended)) {
      TensorInfo info = tensorInfo(session.getInputInfo(), "position_ids");
      assertThat(info.type).isEqualTo(OnnxJavaType.INT64);
      assertThat(info.getShape()).hasSize(2);
    }
    Map<String, Object> inputs = encoderInputs();
    inputs.put("position_ids", new long[][] {{0, 1, 2, 3}});
    assertThat(run(extended, inputs)).containsKey(LAST_HIDDEN_STATE);
  }

  @Test
  void truncatedModelFailsToLoad() {
    byte[] cut = OnnxFixtures.truncated(encoder, encoder.length / 2);

    assertThat(cut).hasSize(encoder.length / 2);
    assertThatThrownBy(() -> open(cut).close()).isInstanceOf(OrtException.class);
    assertThatThrownBy(() -> OnnxFixtures.truncated(encoder, encoder.length + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static Map<String, Object> encoderInputs() {
    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put("input_ids", IDS);
    inputs.put("attention_mask", new long[][] {{1, 1, 1, 1}});
    inputs.put("token_type_ids", new long[][] {{0, 0, 0, 0}});
    return inputs;
  }

  private static OrtSession open(byte[] model) throws OrtException {
    // The session keeps its own copy of the options, so they can be closed right away.
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      return ENV.createSession(model, options);
    }
  }

  /** Runs the model once and copies every output into Java arrays, closing all native handles. */
  private static Map<String, Object> run(byte[] model, Map<String, Object> inputs) throws OrtException {
    try (OrtSession session = open(model); Feeds feeds = Feeds.of(inputs);
        OrtSession.Result result = session.run(feeds.tensors())) {
      Map<String, Object> outputs = new LinkedHashMap<>();
      for (Map.Entry<String, OnnxValue> output : result) {
        outputs.put(output.getKey(), output.getValue().getValue());
      }
      return outputs;
    }
  }

  private static TensorInfo tensorInfo(Map<String, NodeInfo> infos, String name) {
    assertThat(infos).containsKey(name);
    assertThat(infos.get(name).getInfo()).isInstanceOf(TensorInfo.class);
    return (TensorInfo) infos.get(name).getInfo();
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs((double) a[i] - b[i]));
    }
    return max;
  }

  /** Input tensors that are closed together, also when creating a later one fails. */
  private record Feeds(Map<String, OnnxTensor> tensors) implements AutoCloseable {
    static Feeds of(Map<String, Object> arrays) throws OrtException {
      Feeds feeds = new Feeds(new LinkedHashMap<>());
      try {
        for (Map.Entry<String, Object> array : arrays.entrySet()) {
          feeds.tensors.put(array.getKey(), OnnxTensor.createTensor(ENV, array.getValue()));
        }
        return feeds;
      } catch (OrtException | RuntimeException e) {
        feeds.close();
        throw e;
      }
    }

    @Override
    public void close() {
      tensors.values().forEach(OnnxTensor::close);
    }
  }
}
