package org.kluespark.inference;

import ai.onnxruntime.OrtException;

/** Runs one padded batch through a model. {@link EncoderSession} is the real one; tests use fakes. */
public interface BatchRunner {
  EncoderOutput run(TokenBatch batch) throws OrtException;

  /** The id batches are padded with. */
  long padTokenId();

  /** Where the batches run, for messages. */
  ExecutionTarget target();
}
