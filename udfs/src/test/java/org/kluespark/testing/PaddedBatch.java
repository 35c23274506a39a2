package org.kluespark.testing;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/** Ragged token-id rows run through an encoder session as one batch, as the measurement tools time it. */
public final class PaddedBatch {
  private PaddedBatch() {}

  /**
   * Runs {@code rows} right-padded with id 0 (mask 1 on real tokens; token types 0 when the model takes them),
   * fetching only last_hidden_state, as the stage does without encoderOutputsCol.
   *
   * @return each row's last_hidden_state averaged over its real tokens, or null when {@code meanPool} is false
   */
  public static float[][] run(OrtSession session, long[][] rows, boolean meanPool) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    int seq = Arrays.stream(rows).mapToInt(r -> r.length).max().orElseThrow();
    long[] ids = new long[rows.length * seq];
    long[] mask = new long[rows.length * seq];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, ids, r * seq, rows[r].length);
      Arrays.fill(mask, r * seq, r * seq + rows[r].length, 1L);
    }
    long[] shape = {rows.length, seq};
    try (OnnxTensor idsTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
        OnnxTensor maskTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
        OnnxTensor typesTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length]), shape)) {
      Map<String, OnnxTensor> inputs = session.getInputNames().contains("token_type_ids")
          ? Map.of("input_ids", idsTensor, "attention_mask", maskTensor, "token_type_ids", typesTensor)
          : Map.of("input_ids", idsTensor, "attention_mask", maskTensor);
      try (OrtSession.Result result = session.run(inputs, Set.of("last_hidden_state"))) {
        if (!meanPool) {
          return null;
        }
        OnnxTensor hidden = (OnnxTensor) result.get(0);
        int width = (int) hidden.getInfo().getShape()[2];
        FloatBuffer values = hidden.getFloatBuffer();
        float[][] pooled = new float[rows.length][width];
        for (int r = 0; r < rows.length; r++) {
          for (int t = 0; t < rows[r].length; t++) {
            for (int d = 0; d < width; d++) {
              pooled[r][d] += values.get((r * seq + t) * width + d) / rows[r].length;
            }
          }
        }
        return pooled;
      }
    }
  }
}
