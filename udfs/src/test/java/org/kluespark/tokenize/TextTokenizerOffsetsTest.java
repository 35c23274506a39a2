package org.kluespark.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.kluespark.testing.KoreanWordPiece;

/** Token strings and spans: the Rust tokenizer counts code points; utf16 converts to Java String indices. */
class TextTokenizerOffsetsTest {
  // The emoji is one code point but two UTF-16 units: every span after it differs between the units.
  private static final String TEXT = "오늘 서울은 😀 맑고 좋다.";

  private static TokenizedText encode(String text, String pair, OffsetUnit unit, int maxSeqLength) {
    try (TextTokenizer tokenizer = TextTokenizer.fromJson(KoreanWordPiece.tokenizerJson(), maxSeqLength)) {
      return tokenizer.encode(text, pair, unit);
    }
  }

  private static String spans(TokenizedText text) {
    return Arrays.toString(Arrays.stream(text.spans())
        .map(s -> s == null ? "null" : s.start() + "-" + s.end() + (s.segment() == 1 ? "b" : "")).toArray());
  }

  @Test
  void koreanTokensWithCodePointSpans() {
    TokenizedText text = encode(TEXT, null, OffsetUnit.CODEPOINT, 128);
    assertThat(text.tokens()).containsExactly(
        "[CLS]", "오늘", "서울", "##은", "😀", "맑", "##고", "좋", "##다", ".", "[SEP]");
    assertThat(spans(text)).isEqualTo("[null, 0-2, 3-5, 5-6, 7-8, 9-10, 10-11, 12-13, 13-14, 14-15, null]");
    for (int t = 1; t < text.length() - 1; t++) { // as Python's text[start:end] or Spark SQL substring
      TokenSpan span = text.spans()[t];
      String surface = TEXT.substring(TEXT.offsetByCodePoints(0, span.start()), TEXT.offsetByCodePoints(0, span.end()));
      assertThat(surface).isEqualTo(text.tokens()[t].replace("##", ""));
    }
  }

  @Test
  void utf16SpansAreJavaStringIndices() {
    TokenizedText text = encode(TEXT, null, OffsetUnit.UTF16, 128);
    assertThat(spans(text)).isEqualTo("[null, 0-2, 3-5, 5-6, 7-9, 10-11, 11-12, 13-14, 14-15, 15-16, null]");
    for (int t = 1; t < text.length() - 1; t++) {
      TokenSpan span = text.spans()[t];
      assertThat(TEXT.substring(span.start(), span.end())).isEqualTo(text.tokens()[t].replace("##", ""));
    }
  }

  @Test
  void unknownWordSpansTheWholeWord() {
    TokenizedText text = encode("😀서울에서 비", null, OffsetUnit.UTF16, 128);
    assertThat(text.tokens()).containsExactly("[CLS]", "[UNK]", "비", "[SEP]");
    assertThat(spans(text)).isEqualTo("[null, 0-6, 7-8, null]");
  }

  @Test
  void pairSpansReferToTheirOwnTextBySegment() {
    String second = "😀 날씨가 좋다";
    TokenizedText pair = encode("서울에서 비", second, OffsetUnit.UTF16, 128);
    assertThat(pair.tokens()).containsExactly(
        "[CLS]", "서울", "##에서", "비", "[SEP]", "😀", "날씨", "##가", "좋", "##다", "[SEP]");
    assertThat(spans(pair)).isEqualTo("[null, 0-2, 2-4, 5-6, null, 0-2b, 3-5b, 5-6b, 7-8b, 8-9b, null]");
    assertThat(second.substring(pair.spans()[6].start(), pair.spans()[6].end())).isEqualTo("날씨");
    assertThat(pair.typeIds()).containsExactly(0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1);
  }

  @Test
  void truncatedRowsKeepTheSpansOfTheTokensKept() {
    TokenizedText text = encode(TEXT, null, OffsetUnit.CODEPOINT, 6);
    assertThat(text.truncated()).isTrue();
    assertThat(text.tokens()).containsExactly("[CLS]", "오늘", "서울", "##은", "😀", "[SEP]");
    assertThat(spans(text)).isEqualTo("[null, 0-2, 3-5, 5-6, 7-8, null]");
    assertThat(text.spans()).hasSize(text.length());

    TokenizedText pair = encode(TEXT, "비가 내린다", OffsetUnit.CODEPOINT, 8); // longest first: 9+3 real tokens -> 5
    assertThat(pair.tokens()).containsExactly("[CLS]", "오늘", "서울", "##은", "[SEP]", "비", "##가", "[SEP]");
    assertThat(spans(pair)).isEqualTo("[null, 0-2, 3-5, 5-6, null, 0-1b, 1-2b, null]");
  }

  @Test
  void withoutAUnitNoTokensOrSpansAreKept() {
    TokenizedText text = encode(TEXT, null, null, 128);
    assertThat(text.tokens()).isNull();
    assertThat(text.spans()).isNull();
    assertThat(text.length()).isEqualTo(11);
  }
}
