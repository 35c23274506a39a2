package org.kluespark.tokenize;

import java.util.List;
import org.kluespark.params.ParamEnum;

/**
 * How token offsets count characters. The Rust tokenizer reports Unicode code points; Java strings index
 * UTF-16 code units. They differ only after a character outside the Basic Multilingual Plane (emoji,
 * rare CJK): "😀서울" is 3 code points but 4 UTF-16 units. Hangul, Latin and CJK of the BMP count 1 in both.
 *
 * <ul>
 *   <li>{@code codepoint}: Python's {@code str} indices, Spark SQL's {@code substring}/{@code length}, and
 *       HF tokenizers' {@code offset_mapping} in Python.
 *   <li>{@code utf16}: Java/Scala {@code String.substring}, JavaScript.
 * </ul>
 */
public enum OffsetUnit {
  CODEPOINT, UTF16;

  public static List<String> names() {
    return ParamEnum.values(OffsetUnit.class);
  }

  public String paramValue() {
    return ParamEnum.valueOf(this);
  }

  public static OffsetUnit fromParam(String value) {
    return ParamEnum.parse(OffsetUnit.class, "offsetUnit", value);
  }

  /**
   * A converter from code-point offsets in {@code text} to this unit. Identity unless the unit is UTF-16 and
   * {@code text} holds a surrogate pair, so the common case costs one scan of the text.
   */
  Converter converterFor(String text) {
    if (this == CODEPOINT || text == null || text.codePointCount(0, text.length()) == text.length()) {
      return codePoint -> codePoint;
    }
    int[] utf16 = new int[text.codePointCount(0, text.length()) + 1];
    int unit = 0;
    for (int cp = 0; cp < utf16.length - 1; cp++) {
      utf16[cp] = unit;
      unit += Character.charCount(text.codePointAt(unit));
    }
    utf16[utf16.length - 1] = unit;
    return codePoint -> utf16[codePoint];
  }

  @FunctionalInterface
  interface Converter {
    int convert(int codePointOffset);
  }
}
