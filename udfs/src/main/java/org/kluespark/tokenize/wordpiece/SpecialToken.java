package org.kluespark.tokenize.wordpiece;

import java.util.Objects;

/**
 * A special token as HF's {@code AddedToken}: its text and the matching flags written into
 * {@code tokenizer.json}'s {@code added_tokens}. Plain strings in a tokenizer config mean all flags false.
 */
public record SpecialToken(String content, boolean singleWord, boolean lstrip, boolean rstrip, boolean normalized) {

  public SpecialToken {
    Objects.requireNonNull(content, "content");
    if (content.isEmpty()) {
      throw new IllegalArgumentException("A special token cannot be empty");
    }
  }

  public static SpecialToken of(String content) {
    return new SpecialToken(content, false, false, false, false);
  }
}
