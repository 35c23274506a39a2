package org.kluespark.embed;

/** One row's text, and its second text when the stage embeds pairs. A null text yields no embedding. */
public record TextInput(String text, String pair) {
  public static TextInput of(String text) {
    return new TextInput(text, null);
  }

  public boolean isNull() {
    return text == null;
  }
}
