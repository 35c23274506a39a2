package org.kluespark.embed;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kluespark.tokenize.TokenizedText;

/**
 * Finds the rows of a window that repeat an earlier row, so each distinct input is tokenized and run once and
 * its result copied ({@code reuseDuplicates}). Within one window only: no shuffle, and rows keep their order.
 */
public final class DuplicateRows {
  /** Marks a row that repeats no earlier row (a first occurrence, or a row with a null key). */
  public static final int FIRST = -1;

  private DuplicateRows() {}

  /**
   * For each key, the index of the first earlier row with an equal key, or {@link #FIRST}. A null key (a
   * null row) never matches, so nulls are never deduplicated into anything. Keys are hashed once each: for
   * texts that is {@code String.hashCode}, cached in the string, with no copy of the text.
   */
  public static int[] firstOccurrences(List<?> keys) {
    int[] sameAs = new int[keys.size()];
    Map<Object, Integer> first = new HashMap<>(Math.max(16, keys.size() * 2));
    for (int i = 0; i < sameAs.length; i++) {
      Object key = keys.get(i);
      if (key == null) {
        sameAs[i] = FIRST;
        continue;
      }
      Integer earlier = first.putIfAbsent(key, i);
      sameAs[i] = earlier == null ? FIRST : earlier;
    }
    return sameAs;
  }

  /**
   * What the model sees of a row, as a key: its ids and type ids (the attention mask is all 1s over them, and
   * padding is added per batch). Rows with equal keys get bit-identical outputs. {@code truncated} is part of
   * the key so a copied {@link Embedding} says the same as the row's own would; null for a null row.
   */
  public static Object modelInputKey(TokenizedText text) {
    return text == null ? null : new ModelInput(text);
  }

  private static final class ModelInput {
    private final TokenizedText text;
    private final int hash;

    ModelInput(TokenizedText text) {
      this.text = text;
      this.hash = 31 * (31 * Arrays.hashCode(text.ids()) + Arrays.hashCode(text.typeIds()))
          + Boolean.hashCode(text.truncated());
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof ModelInput other) || other.hash != hash) {
        return false;
      }
      TokenizedText that = other.text;
      return that == text || (that.truncated() == text.truncated() && Arrays.equals(that.ids(), text.ids())
          && Arrays.equals(that.typeIds(), text.typeIds()));
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
