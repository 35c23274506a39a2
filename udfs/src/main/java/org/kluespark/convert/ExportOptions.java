package org.kluespark.convert;

/**
 * How the ONNX graph is written.
 *
 * @param halfWeights store weights as float16 (half the file and broadcast size); see {@link EncoderGraphWriter}
 * @param hiddenStates add {@code hidden_states.0..L} outputs (embeddings + every layer)
 * @param externalDataThresholdBytes weights larger than this in total go to {@code model.onnx.data}
 *     (ONNX external data): a protobuf cannot exceed 2 GB
 */
public record ExportOptions(boolean halfWeights, boolean hiddenStates, long externalDataThresholdBytes) {
  /** Protobuf's hard limit is 2 GiB; leave room for the graph itself. */
  public static final long DEFAULT_EXTERNAL_DATA_THRESHOLD = 2_000_000_000L;

  public static ExportOptions defaults() {
    return new ExportOptions(false, true, DEFAULT_EXTERNAL_DATA_THRESHOLD);
  }

  public ExportOptions withHalfWeights(boolean value) {
    return new ExportOptions(value, hiddenStates, externalDataThresholdBytes);
  }

  public ExportOptions withHiddenStates(boolean value) {
    return new ExportOptions(halfWeights, value, externalDataThresholdBytes);
  }

  public ExportOptions withExternalDataThreshold(long bytes) {
    return new ExportOptions(halfWeights, hiddenStates, bytes);
  }
}
