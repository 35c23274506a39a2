package org.kluespark.inference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.List;
import org.kluespark.tokenize.TokenizedText;

/**
 * A batch of tokenized rows padded on the right to the batch's own longest row, as flat row-major
 * {@code [rows, seqLen]} tensors' contents.
 *
 * <p>The contents live in direct, native-order buffers: ONNX Runtime's Java API wraps such a buffer as a
 * tensor without copying it, where a heap array is first copied into a fresh direct buffer on every call.
 */
public final class TokenBatch {
  private final int rows;
  private final int seqLen;
  private final LongBuffer inputIds;
  private final LongBuffer attentionMask;
  private final LongBuffer tokenTypeIds;
  private final int[] lengths;

  private TokenBatch(int rows, int seqLen, LongBuffer inputIds, LongBuffer attentionMask, LongBuffer tokenTypeIds,
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
    int size = rows * seqLen;
    LongBuffer ids = direct(size);
    LongBuffer mask = direct(size); // zero-filled: padding is masked out
    LongBuffer types = direct(size); // zero-filled: padding is segment 0
    int[] lengths = new int[rows];
    for (int r = 0; r < rows; r++) {
      TokenizedText text = texts.get(r);
      int length = text.length();
      ids.put(text.ids(), 0, length);
      for (int t = length; t < seqLen; t++) {
        ids.put(padId);
      }
      mask.position(r * seqLen);
      for (int t = 0; t < length; t++) {
        mask.put(1L);
      }
      types.put(r * seqLen, text.typeIds(), 0, length);
      lengths[r] = length;
    }
    ids.rewind();
    mask.rewind();
    return new TokenBatch(rows, seqLen, ids, mask, types, lengths);
  }

  private static LongBuffer direct(int longs) {
    return ByteBuffer.allocateDirect(longs * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
  }

  public int rows() {
    return rows;
  }

  public int seqLen() {
    return seqLen;
  }

  /** Row-major [rows, seqLen] ids, copied out (for fakes and tests; sessions use {@link #inputIdsBuffer()}). */
  public long[] inputIds() {
    return copy(inputIds);
  }

  long[] attentionMask() {
    return copy(attentionMask);
  }

  long[] tokenTypeIds() {
    return copy(tokenTypeIds);
  }

  /** The ids as a direct buffer for an ONNX Runtime tensor; a fresh view, so callers cannot move each other. */
  LongBuffer inputIdsBuffer() {
    return inputIds.duplicate();
  }

  LongBuffer attentionMaskBuffer() {
    return attentionMask.duplicate();
  }

  LongBuffer tokenTypeIdsBuffer() {
    return tokenTypeIds.duplicate();
  }

  private static long[] copy(LongBuffer buffer) {
    long[] out = new long[buffer.capacity()];
    buffer.duplicate().rewind().get(out);
    return out;
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
