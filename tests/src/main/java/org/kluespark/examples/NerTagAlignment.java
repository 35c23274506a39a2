package org.kluespark.examples;

import java.util.ArrayList;
import java.util.List;

/**
 * Moves KLUE NER's character-level BIO tags onto model tokens: a token takes the tag of its first character
 * (its offset's {@code start}, in code points, which index KLUE's one-character-per-line tokens); special
 * tokens ({@code [CLS]}, {@code [SEP]}: null offsets) get null, and are left out of training and scoring.
 *
 * <p>One refinement keeps entities whole: a token starting on the same character as the token before it (a
 * tokenizer that splits a syllable into jamo pieces, as MiniLM's does with Hangul) continues that character, so
 * a {@code B-X} there becomes {@code I-X}; otherwise one character would open two entities.
 */
public final class NerTagAlignment {
  private NerTagAlignment() {}

  /**
   * @param charTags one tag per character of the sentence
   * @param tokenStarts each token's first character (code point index), null for a special token
   */
  public static List<String> tokenTags(List<String> charTags, List<Integer> tokenStarts) {
    List<String> tags = new ArrayList<>(tokenStarts.size());
    Integer previousStart = null;
    for (Integer start : tokenStarts) {
      if (start == null) {
        tags.add(null);
      } else if (start < 0 || start >= charTags.size()) {
        throw new IllegalArgumentException("token offset " + start + " is outside the sentence's "
            + charTags.size() + " tagged characters; was offsetUnit set to codepoint?");
      } else {
        String tag = charTags.get(start);
        boolean sameCharacter = start.equals(previousStart);
        tags.add(sameCharacter && tag.startsWith("B-") ? "I-" + tag.substring(2) : tag);
      }
      previousStart = start;
    }
    return tags;
  }
}
