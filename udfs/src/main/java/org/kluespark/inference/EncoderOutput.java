package org.kluespark.inference;

/**
 * The outputs of one batch, copied out of ONNX Runtime into flat row-major arrays.
 *
 * @param lastHiddenState {@code [rows, seqLen, hidden]}
 * @param pooler {@code [rows, hidden]}, or null when the model has no pooler output
 */
public record EncoderOutput(int rows, int seqLen, int hidden, float[] lastHiddenState, float[] pooler) {

  /** Offset of token {@code t} of row {@code r} in {@link #lastHiddenState()}. */
  public int tokenOffset(int r, int t) {
    return (r * seqLen + t) * hidden;
  }
}
