package org.kluespark.embed;

/** One row's text, and its second text when the stage embeds pairs. A null text yields no embedding. */
public record TextInput(String text, String pair) {
  public static TextInput of(String text) {
    return new TextInput(text, null);
  }

  /** A text pair; null (no embedding) when either text is null. */
  public static TextInput ofPair(String text, String pair) {
    return text == null || pair == null ? new TextInput(null, null) : new TextInput(text, pair);
  }

  public boolean isNull() {
    return text == null;
  }
}
