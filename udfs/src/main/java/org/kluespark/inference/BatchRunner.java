package org.kluespark.inference;

import ai.onnxruntime.OrtException;
import java.util.Set;

/** Runs one padded batch through a model. {@link EncoderSession} is the real one; tests use fakes. */
public interface BatchRunner {
  /** The token vectors (and the pooler output when the model has one), no hidden states. */
  EncoderOutput run(TokenBatch batch) throws OrtException;

  /**
   * As {@link #run(TokenBatch)}, plus the hidden states of {@code layers} (indices into
   * {@code hidden_states.0} … {@code hidden_states.L}). Runners without hidden states accept only an empty set.
   */
  default EncoderOutput run(TokenBatch batch, Set<Integer> layers) throws OrtException {
    if (!layers.isEmpty()) {
      throw new UnsupportedOperationException(getClass().getSimpleName() + " has no hidden-state outputs");
    }
    return run(batch);
  }

  /** The id batches are padded with. */
  long padTokenId();

  /** Where the batches run, for messages. */
  ExecutionTarget target();
}
