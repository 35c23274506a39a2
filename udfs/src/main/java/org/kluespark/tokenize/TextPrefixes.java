package org.kluespark.tokenize;

import java.io.Serializable;

/**
 * The instruction prefixes retrieval models expect before a text (multilingual-e5: {@code "query: "} or
 * {@code "passage: "}): {@code text} goes before the first text of every row, {@code pair} before the second
 * text of a pair. Prepended before tokenization, so the prefix's tokens are real tokens: counted, cut by
 * {@code maxSeqLength}, and in the vectors. A null text stays null (never prefixed); an empty text becomes the
 * prefix alone, exactly as if the concatenation had been embedded. Empty means no prefix.
 *
 * @param text before the first text; "" for none
 * @param pair before the second text of a pair; "" for none
 */
public record TextPrefixes(String text, String pair) implements Serializable {
  public static final TextPrefixes NONE = new TextPrefixes("", "");

  public TextPrefixes {
    text = text == null ? "" : text;
    pair = pair == null ? "" : pair;
  }

  public boolean isNone() {
    return text.isEmpty() && pair.isEmpty();
  }

  /** {@code value} with the text prefix before it; null stays null. */
  public String prefixText(String value) {
    return value == null || text.isEmpty() ? value : text + value;
  }

  /** {@code value} with the pair prefix before it; null stays null. */
  public String prefixPair(String value) {
    return value == null || pair.isEmpty() ? value : pair + value;
  }

  /** The prefix of a segment (0 = first text, 1 = pair) in Unicode code points, as the tokenizer counts. */
  int codePoints(int segment) {
    String prefix = segment == 0 ? text : pair;
    return prefix.codePointCount(0, prefix.length());
  }
}
