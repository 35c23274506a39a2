package org.kluespark.model;

import java.io.Serializable;
import java.util.List;

/**
 * What the driver learned about a bundle: which inputs the graph takes, which outputs it offers, and its
 * sizes. Executors use it to build input tensors and pick outputs without re-inspecting the graph.
 *
 * @param hiddenStateOutputs {@code hidden_states.0} … {@code hidden_states.L} in layer order (0 = the
 *     embeddings output, i = the output of encoder layer i), as HF's {@code output_hidden_states}; empty when
 *     the model has none (converted with {@code --no-hidden-states}, or exported without them)
 */
public record ModelSignature(
    boolean hasTokenTypeIds,
    String lastHiddenStateOutput,
    String poolerOutput,
    List<String> hiddenStateOutputs,
    int hiddenSize,
    Integer maxPositions,
    int tokenizerVocabSize,
    long padTokenId,
    Integer embeddingVocabSize) implements Serializable {

  public static final String INPUT_IDS = "input_ids";
  public static final String ATTENTION_MASK = "attention_mask";
  public static final String TOKEN_TYPE_IDS = "token_type_ids";
  public static final String LAST_HIDDEN_STATE = "last_hidden_state";
  public static final String POOLER_OUTPUT = "pooler_output";
  /** Prefix of the per-layer outputs: {@code hidden_states.0} … {@code hidden_states.L}. */
  public static final String HIDDEN_STATES_PREFIX = "hidden_states.";

  public ModelSignature {
    hiddenStateOutputs = List.copyOf(hiddenStateOutputs);
  }

  public boolean hasPooler() {
    return poolerOutput != null;
  }

  /** The graph output holding hidden state {@code layer} (0 = embeddings, L = last encoder layer). */
  public static String hiddenStateOutput(int layer) {
    return HIDDEN_STATES_PREFIX + layer;
  }

  public boolean hasHiddenStates() {
    return !hiddenStateOutputs.isEmpty();
  }

  /** Hidden states the model outputs: the number of encoder layers + 1, or 0 without them. */
  public int hiddenStateCount() {
    return hiddenStateOutputs.size();
  }
}
