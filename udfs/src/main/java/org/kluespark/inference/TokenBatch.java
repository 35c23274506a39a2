package org.kluespark.inference;

import java.util.Arrays;
import java.util.List;
import org.kluespark.tokenize.TokenizedText;

/**
 * A batch of tokenized rows padded on the right to the batch's own longest row, as flat row-major
 * {@code [rows, seqLen]} arrays ready for ONNX Runtime.
 */
public final class TokenBatch {
  private final int rows;
  private final int seqLen;
  private final long[] inputIds;
  private final long[] attentionMask;
  private final long[] tokenTypeIds;
  private final int[] lengths;

  private TokenBatch(int rows, int seqLen, long[] inputIds, long[] attentionMask, long[] tokenTypeIds,
      int[] lengths) {
    this.rows = rows;
    this.seqLen = seqLen;
    this.inputIds = inputIds;
    this.attentionMask = attentionMask;
    this.tokenTypeIds = tokenTypeIds;
    this.lengths = lengths;
  }

  /** Pads {@code texts} with {@code padId} to the longest of them. */
  public static TokenBatch pad(List<TokenizedText> texts, long padId) {
    if (texts.isEmpty()) {
      throw new IllegalArgumentException("A batch needs at least one row");
    }
    int rows = texts.size();
    int seqLen = 1;
    for (TokenizedText text : texts) {
      seqLen = Math.max(seqLen, text.length());
    }
    long[] ids = new long[rows * seqLen];
    long[] mask = new long[rows * seqLen];
    long[] types = new long[rows * seqLen];
    Arrays.fill(ids, padId);
    int[] lengths = new int[rows];
    for (int r = 0; r < rows; r++) {
      TokenizedText text = texts.get(r);
      int offset = r * seqLen;
      System.arraycopy(text.ids(), 0, ids, offset, text.length());
      System.arraycopy(text.typeIds(), 0, types, offset, text.length());
      Arrays.fill(mask, offset, offset + text.length(), 1L);
      lengths[r] = text.length();
    }
    return new TokenBatch(rows, seqLen, ids, mask, types, lengths);
  }

  public int rows() {
    return rows;
  }

  public int seqLen() {
    return seqLen;
  }

  /** Row-major [rows, seqLen] ids; shared, not copied: do not modify. */
  public long[] inputIds() {
    return inputIds;
  }

  long[] attentionMask() {
    return attentionMask;
  }

  long[] tokenTypeIds() {
    return tokenTypeIds;
  }

  /** Real (unpadded) token count of row {@code r}. */
  public int length(int r) {
    return lengths[r];
  }

  /** Tokens in the batch, padding included. */
  public long paddedTokens() {
    return (long) rows * seqLen;
  }
}
