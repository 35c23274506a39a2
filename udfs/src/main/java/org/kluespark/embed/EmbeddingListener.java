package org.kluespark.embed;

/** Told what each window and batch did, for progress and metrics. Implementations must be cheap. */
public interface EmbeddingListener {
  EmbeddingListener NONE = new EmbeddingListener() {
    @Override
    public void nullRows(int rows) {}

    @Override
    public void batchDone(int rows, long realTokens, long paddedTokens, int truncatedRows, long inferenceNanos) {}

    @Override
    public void batchSplit() {}
  };

  /** Rows passed through with null outputs (a null text or a null second text). */
  void nullRows(int rows);

  /**
   * One ONNX Runtime call finished.
   *
   * @param realTokens tokens of the batch's rows, special tokens included
   * @param paddedTokens rows × the batch's padded length: what the model computed
   * @param truncatedRows rows cut to maxSeqLength
   * @param inferenceNanos time spent in ONNX Runtime for the batch
   */
  void batchDone(int rows, long realTokens, long paddedTokens, int truncatedRows, long inferenceNanos);

  /** A batch ran out of device memory and was split in two to be retried. */
  void batchSplit();

  /** Rows that could not be embedded and were kept with null outputs and a reason (errorCol). */
  default void failedRows(int rows) {}

  /**
   * Rows given a copy of an earlier identical row's result in their window instead of being run
   * ({@code reuseDuplicates}); {@code truncatedRows} of them were cut to maxSeqLength. They are in no batch, so
   * {@link #batchDone}'s tokens count only what the model computed.
   */
  default void duplicateRows(int rows, int truncatedRows) {}
}
