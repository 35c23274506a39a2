package org.kluespark.tokenize.wordpiece;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits text into the words WordPiece sees, mirroring the tokenizers library's {@code BertNormalizer}
 * (clean text, space out CJK ideographs, strip accents, lowercase) followed by {@code BertPreTokenizer}
 * (split on whitespace, every punctuation character a word of its own). Used to count words when building a
 * vocabulary; encoding itself always goes through the real tokenizer.
 */
final class BertWordSplitter {
  private final boolean lowercase;
  private final boolean stripAccents;
  private final boolean handleChineseChars;

  BertWordSplitter(WordPieceOptions options) {
    this.lowercase = options.lowercase();
    this.stripAccents = options.stripsAccents();
    this.handleChineseChars = options.tokenizeChineseChars();
  }

  List<String> split(String text) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    String normalized = normalize(text);
    for (int i = 0; i < normalized.length(); ) {
      int c = normalized.codePointAt(i);
      i += Character.charCount(c);
      if (isWhitespace(c)) {
        flush(word, words);
      } else if (isPunctuation(c)) {
        flush(word, words);
        words.add(new String(Character.toChars(c)));
      } else {
        word.appendCodePoint(c);
      }
    }
    flush(word, words);
    return words;
  }

  String normalize(String text) {
    StringBuilder cleaned = new StringBuilder(text.length());
    text.codePoints().forEach(c -> {
      if (c == 0 || c == 0xFFFD || isControl(c)) {
        return;
      }
      if (isWhitespace(c)) {
        cleaned.append(' ');
      } else if (handleChineseChars && isChineseChar(c)) {
        cleaned.append(' ').appendCodePoint(c).append(' ');
      } else {
        cleaned.appendCodePoint(c);
      }
    });
    String result = cleaned.toString();
    if (stripAccents) {
      StringBuilder stripped = new StringBuilder(result.length());
      // NFD also splits Hangul syllables into conjoining jamo, exactly as BertNormalizer does.
      Normalizer.normalize(result, Normalizer.Form.NFD).codePoints()
          .filter(c -> !isMark(c))
          .forEach(stripped::appendCodePoint);
      result = stripped.toString();
    }
    if (lowercase) {
      StringBuilder lower = new StringBuilder(result.length());
      // Per character, as Rust's char::to_lowercase (no final-sigma context); U+0130 is its one multi-char case.
      result.codePoints().forEach(c -> {
        if (c == 0x130) {
          lower.append("i\u0307");
        } else {
          lower.appendCodePoint(Character.toLowerCase(c));
        }
      });
      result = lower.toString();
    }
    return result;
  }

  private static void flush(StringBuilder word, List<String> words) {
    if (word.length() > 0) {
      words.add(word.toString());
      word.setLength(0);
    }
  }

  /** Unicode White_Space, as Rust's {@code char::is_whitespace}. */
  static boolean isWhitespace(int c) {
    return (c >= 0x09 && c <= 0x0D) || c == 0x85 || Character.isSpaceChar(c);
  }

  /** Any "Other" category except tab, newline and carriage return (which count as whitespace). */
  static boolean isControl(int c) {
    if (c == '\t' || c == '\n' || c == '\r') {
      return false;
    }
    int type = Character.getType(c);
    return type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
        || type == Character.PRIVATE_USE || type == Character.UNASSIGNED;
  }

  /** ASCII punctuation (which includes symbols such as $ + < = > ^ ` | ~) or any Unicode P* category. */
  static boolean isPunctuation(int c) {
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) {
      return true;
    }
    int type = Character.getType(c);
    return type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION
        || type == Character.START_PUNCTUATION || type == Character.END_PUNCTUATION
        || type == Character.INITIAL_QUOTE_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION
        || type == Character.OTHER_PUNCTUATION;
  }

  private static boolean isMark(int c) {
    int type = Character.getType(c);
    return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
        || type == Character.ENCLOSING_MARK;
  }

  /** The CJK Unified Ideograph blocks BERT isolates (not Hangul, Hiragana or Katakana). */
  static boolean isChineseChar(int c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
        || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF)
        || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
  }
}
