package org.kluespark.pooling;

import java.util.Arrays;
import java.util.List;
import org.kluespark.params.ParamEnum;
import org.kluespark.inference.EncoderOutput;

/**
 * Post-processing: turns one row's token vectors into one vector.
 *
 * <p>The modes other than {@code pooler} and {@code auto} compute exactly what sentence-transformers'
 * {@code models.Pooling} does for a right-padded batch (special tokens included, padding excluded).
 *
 * <ul>
 *   <li>{@code auto}: resolved by {@link PoolingRule}: the pooling the bundle declares, else {@code pooler} when
 *       the model has a pooler output, else {@code cls}.
 *   <li>{@code pooler}: the model's {@code pooler_output} (BERT: tanh(W·h[CLS]+b)), as TF Hub's
 *       {@code pooled_output}.
 *   <li>{@code cls}: the last hidden state of the first token.
 *   <li>{@code mean}: the average over the row's real tokens (special tokens included, padding excluded),
 *       as sentence-transformers does.
 *   <li>{@code max}: the element-wise maximum over the row's real tokens.
 *   <li>{@code mean_sqrt_len_tokens}: the sum over the real tokens divided by the square root of their number.
 *   <li>{@code weightedmean}: the mean with token {@code t} (from 0) weighted {@code t + 1}, as
 *       sentence-transformers' position-weighted mean (SGPT).
 *   <li>{@code lasttoken}: the last hidden state of the last real token (for decoder-style embedders).
 * </ul>
 */
public enum Pooling {
  AUTO, POOLER, CLS, MEAN, MAX, MEAN_SQRT_LEN_TOKENS, WEIGHTEDMEAN, LASTTOKEN;

  public static List<String> names() {
    return ParamEnum.values(Pooling.class);
  }

  public String paramValue() {
    return ParamEnum.valueOf(this);
  }

  public static Pooling fromParam(String value) {
    return ParamEnum.parse(Pooling.class, "pooling", value);
  }


  /**
   * Replaces {@code auto} with what it means for a model that declares no pooling, with or without a pooler
   * output; {@link PoolingRule} applies the whole rule, declaration included.
   */
  public Pooling resolve(boolean modelHasPooler) {
    if (this == AUTO) {
      return modelHasPooler ? POOLER : CLS;
    }
    return this;
  }

  /** Pools row {@code row} (with {@code length} real tokens) of a batch output. Not for {@code auto}. */
  public float[] pool(EncoderOutput out, int row, int length) {
    int hidden = out.hidden();
    float[] h = out.lastHiddenState();
    float[] result = new float[hidden];
    switch (this) {
      case POOLER -> System.arraycopy(out.pooler(), row * hidden, result, 0, hidden);
      case CLS -> System.arraycopy(h, out.tokenOffset(row, 0), result, 0, hidden);
      case LASTTOKEN -> System.arraycopy(h, out.tokenOffset(row, Math.max(length - 1, 0)), result, 0, hidden);
      case MEAN, MEAN_SQRT_LEN_TOKENS, WEIGHTEDMEAN -> {
        // Accumulate in double: long rows of float sums drift past the parity tolerance otherwise.
        double[] sum = new double[hidden];
        double weights = 0;
        for (int t = 0; t < length; t++) {
          int offset = out.tokenOffset(row, t);
          double weight = this == WEIGHTEDMEAN ? t + 1 : 1;
          weights += weight;
          for (int d = 0; d < hidden; d++) {
            sum[d] += weight * h[offset + d];
          }
        }
        // sentence-transformers clamps the divisor at 1e-9, so an empty row pools to zeros.
        double divisor = Math.max(this == MEAN_SQRT_LEN_TOKENS ? Math.sqrt(weights) : weights, 1e-9);
        for (int d = 0; d < hidden; d++) {
          result[d] = (float) (sum[d] / divisor);
        }
      }
      case MAX -> {
        Arrays.fill(result, Float.NEGATIVE_INFINITY);
        for (int t = 0; t < length; t++) {
          int offset = out.tokenOffset(row, t);
          for (int d = 0; d < hidden; d++) {
            result[d] = Math.max(result[d], h[offset + d]);
          }
        }
      }
      case AUTO -> throw new IllegalStateException("Resolve pooling 'auto' against the model first");
      default -> throw new IllegalStateException("Unhandled pooling " + this);
    }
    return result;
  }

  /** Scales {@code vector} in place to unit L2 norm; a zero vector stays zero. */
  public static float[] l2Normalize(float[] vector) {
    double sumSquares = 0;
    for (float v : vector) {
      sumSquares += (double) v * v;
    }
    if (sumSquares > 0) {
      double scale = 1.0 / Math.sqrt(sumSquares);
      for (int i = 0; i < vector.length; i++) {
        vector[i] = (float) (vector[i] * scale);
      }
    }
    return vector;
  }
}
