package org.kluespark.embed;

/**
 * One row's result.
 *
 * @param pooled the pooled vector {@code [hidden]}
 * @param sequence the token vectors {@code [tokens][hidden]} trimmed to the row's real tokens, or null
 *     when not requested
 * @param tokens the row's real token count, special tokens included
 * @param truncated whether the text was cut to {@code maxSeqLength}
 * @param layers the requested hidden states {@code [layers][tokens][hidden]}, each trimmed like
 *     {@code sequence}, or null when not requested
 */
public record Embedding(float[] pooled, float[][] sequence, int tokens, boolean truncated, float[][][] layers) {

  /** Without hidden states. */
  public Embedding(float[] pooled, float[][] sequence, int tokens, boolean truncated) {
    this(pooled, sequence, tokens, truncated, null);
  }
}
