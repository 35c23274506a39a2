package org.kluespark.embed;

/**
 * What {@link WindowEmbedder} does with a row that cannot be embedded (the tokenizer threw on it, or the model
 * failed on it when run alone): record it, so the row gets null outputs, or throw to fail the task.
 */
@FunctionalInterface
public interface RowFailureHandler {
  /** Fails on the first bad row, naming its index in the window: the stage's behaviour without errorCol. */
  RowFailureHandler FAIL = (row, reason, cause) -> {
    throw new RowEmbeddingException("Row " + row + " of the window cannot be embedded: " + reason, cause);
  };

  /**
   * @param row the row's index in the window handed to {@link WindowEmbedder#embed}
   * @param reason one line saying what failed, for users (it becomes the row's errorCol value)
   * @param cause the exception behind it
   */
  void rowFailed(int row, String reason, Throwable cause);
}
