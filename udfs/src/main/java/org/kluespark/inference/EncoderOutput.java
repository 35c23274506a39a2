package org.kluespark.inference;

import java.util.Map;

/**
 * The outputs of one batch, copied out of ONNX Runtime into flat row-major arrays.
 *
 * @param lastHiddenState {@code [rows, seqLen, hidden]}
 * @param pooler {@code [rows, hidden]}, or null when the model has no pooler output
 * @param hiddenStates the requested hidden states by layer index (0 = embeddings), each
 *     {@code [rows, seqLen, hidden]} laid out like {@link #lastHiddenState()}; empty when none were requested
 */
public record EncoderOutput(int rows, int seqLen, int hidden, float[] lastHiddenState, float[] pooler,
    Map<Integer, float[]> hiddenStates) {

  public EncoderOutput {
    hiddenStates = Map.copyOf(hiddenStates);
  }

  /** Without hidden states. */
  public EncoderOutput(int rows, int seqLen, int hidden, float[] lastHiddenState, float[] pooler) {
    this(rows, seqLen, hidden, lastHiddenState, pooler, Map.of());
  }

  /** Offset of token {@code t} of row {@code r} in {@link #lastHiddenState()} and every hidden state. */
  public int tokenOffset(int r, int t) {
    return (r * seqLen + t) * hidden;
  }

  /** Hidden state {@code layer}, which must have been requested. */
  public float[] hiddenState(int layer) {
    float[] values = hiddenStates.get(layer);
    if (values == null) {
      throw new IllegalArgumentException("Hidden state " + layer + " was not requested from the model (requested "
          + hiddenStates.keySet() + ")");
    }
    return values;
  }
}
