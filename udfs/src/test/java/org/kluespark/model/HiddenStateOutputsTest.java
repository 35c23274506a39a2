package org.kluespark.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.kluespark.testing.OnnxFixtures;
import org.kluespark.testing.TestModels;

/** The driver learns a model's hidden_states.0 … L outputs and rejects gaps and wrong shapes. */
class HiddenStateOutputsTest {
  private static final String RECONVERT = "Re-convert the checkpoint with `kluespark convert`, which writes "
      + "hidden_states.0 (the embeddings) to hidden_states.L (the last layer).";
  private static final String GELU_OUTPUT = "/encoder/layer.0/intermediate/intermediate_act_fn/Mul_1_output_0";

  private static ModelBundle load(Path dir) {
    return ModelBundleLoader.load(dir.toUri().toString(), new Configuration());
  }

  @Test
  void modelWithHiddenStatesIsDescribedInLayerOrder() {
    ModelSignature signature = ModelInspector.inspect(load(TestModels.minilmWithHiddenStatesDir()), 128);
    assertThat(signature.hasHiddenStates()).isTrue();
    assertThat(signature.hiddenStateCount()).isEqualTo(7);
    assertThat(signature.hiddenStateOutputs()).containsExactly("hidden_states.0", "hidden_states.1",
        "hidden_states.2", "hidden_states.3", "hidden_states.4", "hidden_states.5", "hidden_states.6");
    assertThat(signature.hiddenSize()).isEqualTo(384);
  }

  @Test
  void modelWithoutHiddenStatesHasNone() {
    ModelSignature signature = ModelInspector.inspect(TestModels.minilm(), 128);
    assertThat(signature.hasHiddenStates()).isFalse();
    assertThat(signature.hiddenStateCount()).isZero();
  }

  @Test
  void aGapInTheLayersIsNamed() {
    byte[] model = OnnxFixtures.withoutOutput(
        OnnxFixtures.withHiddenStates(TestModels.minilm().modelBytes(), TestModels.MINILM_HIDDEN_STATE_TENSORS),
        "hidden_states.3");
    ModelBundle bundle = load(TestModels.bundleDir("gap", model));
    assertThatThrownBy(() -> ModelInspector.inspect(bundle, 128))
        .isInstanceOf(ModelBundleException.class)
        .hasMessage(bundle.fileLocation(ModelBundle.MODEL_FILE) + " has hidden-state outputs [hidden_states.0, "
            + "hidden_states.1, hidden_states.2, hidden_states.4, hidden_states.5, hidden_states.6] but no "
            + "'hidden_states.3': they must run from hidden_states.0 to hidden_states.L without gaps. " + RECONVERT);
  }

  @Test
  void layersNotStartingAtZeroAreAGap() {
    byte[] model = OnnxFixtures.withoutOutput(
        OnnxFixtures.withHiddenStates(TestModels.minilm().modelBytes(), TestModels.MINILM_HIDDEN_STATE_TENSORS),
        "hidden_states.0");
    ModelBundle bundle = load(TestModels.bundleDir("no-zero", model));
    assertThatThrownBy(() -> ModelInspector.inspect(bundle, 128))
        .hasMessageContaining("but no 'hidden_states.0': they must run from hidden_states.0 to hidden_states.L");
  }

  @Test
  void aHiddenStateOfAnotherWidthIsNamed() {
    // hidden_states.1 exposes layer 0's feed-forward activation: [batch, sequence, 1536], not 384 wide.
    byte[] model = OnnxFixtures.withHiddenStates(TestModels.minilm().modelBytes(),
        List.of(TestModels.MINILM_HIDDEN_STATE_TENSORS.get(0), GELU_OUTPUT));
    ModelBundle bundle = load(TestModels.bundleDir("wide", model));
    assertThatThrownBy(() -> ModelInspector.inspect(bundle, 16))
        .isInstanceOf(ModelBundleException.class)
        .hasMessage(bundle.fileLocation(ModelBundle.MODEL_FILE) + ": output 'hidden_states.1' has shape "
            + "[1, 16, 1536] but last_hidden_state has [1, 16, 384]; every hidden state must be [batch, sequence, "
            + "hidden] like last_hidden_state. " + RECONVERT);
  }

  @Test
  void aHiddenStateThatIsNotAFloatTensorOfRankThreeIsNamed() {
    byte[] model = OnnxFixtures.renameOutput(TestModels.minilm().modelBytes(), "pooler_output", "hidden_states.0");
    ModelBundle bundle = load(TestModels.bundleDir("rank2", model));
    assertThatThrownBy(() -> ModelInspector.inspect(bundle, 16))
        .isInstanceOf(ModelBundleException.class)
        .hasMessageStartingWith(bundle.fileLocation(ModelBundle.MODEL_FILE) + ": output 'hidden_states.0' must be "
            + "a float tensor [batch, sequence, hidden] like last_hidden_state but is TensorInfo(")
        .hasMessageEndingWith(RECONVERT);
  }
}
