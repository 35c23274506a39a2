package org.kluespark.convert;

import org.kluespark.precision.PrecisionOptions;

/**
 * How the ONNX graph is written.
 *
 * @param halfWeights store float32-computing weights as float16 (half the file and broadcast size); see
 *     {@link EncoderGraphWriter}. Not with int8, whose weights are int8.
 * @param hiddenStates add {@code hidden_states.0..L} outputs (embeddings + every layer)
 * @param externalDataThresholdBytes weights larger than this in total go to {@code model.onnx.data}
 *     (ONNX external data): a protobuf cannot exceed 2 GB
 * @param precision what the written graph computes in ({@link org.kluespark.precision.PrecisionConversion})
 */
public record ExportOptions(boolean halfWeights, boolean hiddenStates, long externalDataThresholdBytes,
    PrecisionOptions precision) {
  /** Protobuf's hard limit is 2 GiB; leave room for the graph itself. */
  public static final long DEFAULT_EXTERNAL_DATA_THRESHOLD = 2_000_000_000L;

  public ExportOptions {
    if (halfWeights && precision.precision() == org.kluespark.model.Precision.INT8) {
      throw new IllegalArgumentException("Half weights (--fp16: float16 storage of float32 weights) and precision int8 "
          + "(--precision int8: int8 weights) exclude each other: choose one. int8 bundles are already a quarter of the float32 size.");
    }
  }

  public static ExportOptions defaults() {
    return new ExportOptions(false, true, DEFAULT_EXTERNAL_DATA_THRESHOLD, PrecisionOptions.fp32());
  }

  public ExportOptions withHalfWeights(boolean value) {
    return new ExportOptions(value, hiddenStates, externalDataThresholdBytes, precision);
  }

  public ExportOptions withHiddenStates(boolean value) {
    return new ExportOptions(halfWeights, value, externalDataThresholdBytes, precision);
  }

  public ExportOptions withExternalDataThreshold(long bytes) {
    return new ExportOptions(halfWeights, hiddenStates, bytes, precision);
  }

  public ExportOptions withPrecision(PrecisionOptions value) {
    return new ExportOptions(halfWeights, hiddenStates, externalDataThresholdBytes, value);
  }
}
