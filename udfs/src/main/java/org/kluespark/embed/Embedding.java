package org.kluespark.embed;

/**
 * One row's result.
 *
 * @param pooled the pooled vector {@code [hidden]}
 * @param sequence the token vectors {@code [tokens][hidden]} trimmed to the row's real tokens, or null
 *     when not requested
 * @param tokens the row's real token count, special tokens included
 * @param truncated whether the text was cut to {@code maxSeqLength}
 */
public record Embedding(float[] pooled, float[][] sequence, int tokens, boolean truncated) {}
