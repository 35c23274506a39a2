package org.kluespark.model;

import java.io.Serializable;
import java.util.List;

/**
 * What the driver learned about a bundle: which inputs the graph takes, which outputs it offers, and its
 * sizes. Executors use it to build input tensors and pick outputs without re-inspecting the graph.
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

  public ModelSignature {
    hiddenStateOutputs = List.copyOf(hiddenStateOutputs);
  }

  public boolean hasPooler() {
    return poolerOutput != null;
  }
}
