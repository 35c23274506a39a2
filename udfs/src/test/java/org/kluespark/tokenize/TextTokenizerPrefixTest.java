package org.kluespark.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kluespark.testing.KoreanWordPiece;

/**
 * Instruction prefixes ({@link TextPrefixes}) at the tokenizer: the same ids as the concatenated text, counted
 * in maxSeqLength, the first text's prefix on segment 0 and the pair's on segment 1, and spans relative to the
 * texts without their prefixes.
 */
class TextTokenizerPrefixTest {
  private static final String TEXT = "오늘 서울은 😀 맑고 좋다.";
  private static final TextPrefixes QUERY = new TextPrefixes("😀 날씨 ", "");

  private static TextTokenizer tokenizer;
  private static TextTokenizer short8;

  @BeforeAll
  static void open() {
    tokenizer = TextTokenizer.fromJson(KoreanWordPiece.tokenizerJson(), 128);
    short8 = TextTokenizer.fromJson(KoreanWordPiece.tokenizerJson(), 8);
  }

  @AfterAll
  static void close() {
    tokenizer.close();
    short8.close();
  }

  private static String spans(TokenizedText text) {
    return Arrays.toString(Arrays.stream(text.spans())
        .map(s -> s == null ? "null" : s.start() + "-" + s.end() + (s.segment() == 1 ? "b" : "")).toArray());
  }

  @Test
  void thePrefixIsTokenizedWithTheTextAsTheirConcatenationIs() {
    TokenizedText prefixed = tokenizer.encode(TEXT, null, OffsetUnit.CODEPOINT, QUERY);
    TokenizedText concatenated = tokenizer.encode("😀 날씨 " + TEXT, null, OffsetUnit.CODEPOINT);

    assertThat(prefixed.tokens()).containsExactly(
        "[CLS]", "😀", "날씨", "오늘", "서울", "##은", "😀", "맑", "##고", "좋", "##다", ".", "[SEP]");
    assertThat(prefixed.ids()).containsExactly(concatenated.ids());
    assertThat(prefixed.typeIds()).containsExactly(concatenated.typeIds());
    assertThat(tokenizer.tokens(TEXT, QUERY)).containsExactly(prefixed.tokens());
  }

  @Test
  void spansStayRelativeToTheTextWithoutItsPrefixWhichGetsNone() {
    TokenizedText text = tokenizer.encode(TEXT, null, OffsetUnit.CODEPOINT, QUERY);
    // As without a prefix (TextTokenizerOffsetsTest), after two null spans for the prefix's tokens.
    assertThat(spans(text)).isEqualTo(
        "[null, null, null, 0-2, 3-5, 5-6, 7-8, 9-10, 10-11, 12-13, 13-14, 14-15, null]");

    TokenizedText utf16 = tokenizer.encode(TEXT, null, OffsetUnit.UTF16, QUERY);
    assertThat(spans(utf16)).as("the prefix's emoji shifts nothing; the text's own emoji still counts 2")
        .isEqualTo("[null, null, null, 0-2, 3-5, 5-6, 7-9, 10-11, 11-12, 13-14, 14-15, 15-16, null]");
    for (int t = 3; t < utf16.length() - 1; t++) {
      TokenSpan span = utf16.spans()[t];
      assertThat(TEXT.substring(span.start(), span.end())).isEqualTo(utf16.tokens()[t].replace("##", ""));
    }
  }

  @Test
  void aTokenRunningFromThePrefixIntoTheTextGetsThePartInTheText() {
    // "서울" + "에서 비" is "서울에서 비": 서울 lies in the prefix, ##에서 in the text.
    TokenizedText text = tokenizer.encode("에서 비", null, OffsetUnit.CODEPOINT, new TextPrefixes("서울", ""));
    assertThat(text.tokens()).containsExactly("[CLS]", "서울", "##에서", "비", "[SEP]");
    assertThat(spans(text)).isEqualTo("[null, null, 0-2, 3-4, null]");

    // One token across the boundary: "서" + "울" is the single token 서울, of which "울" is the text's.
    TokenizedText across = tokenizer.encode("울", null, OffsetUnit.CODEPOINT, new TextPrefixes("서", ""));
    assertThat(across.tokens()).containsExactly("[CLS]", "서울", "[SEP]");
    assertThat(spans(across)).isEqualTo("[null, 0-1, null]");
  }

  @Test
  void withPairsTheTextPrefixGoesOnTheFirstTextAndThePairPrefixOnTheSecond() {
    String first = "서울에서 비";
    String second = "😀 날씨가 좋다";
    TokenizedText textOnly = tokenizer.encode(first, second, OffsetUnit.CODEPOINT, new TextPrefixes("오늘 ", ""));
    assertThat(textOnly.ids()).containsExactly(tokenizer.encode("오늘 " + first, second).ids());
    assertThat(textOnly.tokens()).containsExactly(
        "[CLS]", "오늘", "서울", "##에서", "비", "[SEP]", "😀", "날씨", "##가", "좋", "##다", "[SEP]");

    TokenizedText both = tokenizer.encode(first, second, OffsetUnit.CODEPOINT, new TextPrefixes("오늘 ", "비 "));
    assertThat(both.ids()).containsExactly(tokenizer.encode("오늘 " + first, "비 " + second).ids());
    assertThat(both.typeIds()).as("the pair prefix's token is the second segment's")
        .containsExactly(0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1);
    assertThat(spans(both)).isEqualTo(
        "[null, null, 0-2, 2-4, 5-6, null, null, 0-1b, 2-4b, 4-5b, 6-7b, 7-8b, null]");
  }

  @Test
  void maxSeqLengthCountsThePrefix() {
    TokenizedText plain = short8.encode(TEXT, null, OffsetUnit.CODEPOINT);
    TokenizedText prefixed = short8.encode(TEXT, null, OffsetUnit.CODEPOINT, QUERY);
    assertThat(plain.tokens()).containsExactly("[CLS]", "오늘", "서울", "##은", "😀", "맑", "##고", "[SEP]");
    assertThat(prefixed.truncated()).isTrue();
    assertThat(prefixed.tokens()).as("the prefix's 2 tokens leave room for 4 of the text's")
        .containsExactly("[CLS]", "😀", "날씨", "오늘", "서울", "##은", "😀", "[SEP]");
    assertThat(spans(prefixed)).isEqualTo("[null, null, null, 0-2, 3-5, 5-6, 7-8, null]");
  }

  @Test
  void anEmptyTextIsThePrefixAloneAndAnEmptyPrefixIsNone() {
    TokenizedText empty = tokenizer.encode("", null, OffsetUnit.CODEPOINT, QUERY);
    assertThat(empty.tokens()).containsExactly("[CLS]", "😀", "날씨", "[SEP]");
    assertThat(spans(empty)).isEqualTo("[null, null, null, null]");

    TextPrefixes none = new TextPrefixes("", null);
    assertThat(none.isNone()).isTrue();
    assertThat(none).isEqualTo(TextPrefixes.NONE);
    TokenizedText unprefixed = tokenizer.encode(TEXT, null, OffsetUnit.CODEPOINT, none);
    assertThat(unprefixed.tokens()).containsExactly(tokenizer.encode(TEXT, null, OffsetUnit.CODEPOINT).tokens());
    assertThat(spans(unprefixed)).isEqualTo(spans(tokenizer.encode(TEXT, null, OffsetUnit.CODEPOINT)));
  }

  @Test
  void aMetaspaceTokenThatTakesThePrefixsTrailingSpaceGetsItsPartInTheText() {
    // SentencePiece-style (XLM-R, e5): the space before 서울 becomes the "▁" of "▁서울", whose span then starts
    // inside "query: ". Spans must be those of the unprefixed text.
    try (TextTokenizer metaspace = TextTokenizer.fromJson(METASPACE_UNIGRAM.getBytes(StandardCharsets.UTF_8), 128)) {
      TokenizedText plain = metaspace.encode("서울에서 비", null, OffsetUnit.CODEPOINT);
      TokenizedText prefixed = metaspace.encode("서울에서 비", null, OffsetUnit.CODEPOINT,
          new TextPrefixes("query: ", ""));
      assertThat(plain.tokens()).containsExactly("<s>", "▁서울", "에서", "▁비", "</s>");
      assertThat(prefixed.tokens()).containsExactly("<s>", "▁query", ":", "▁서울", "에서", "▁비", "</s>");
      assertThat(prefixed.ids()).containsExactly(metaspace.encode("query: 서울에서 비", null).ids());
      assertThat(spans(plain)).as("a Metaspace token spans the space it took")
          .isEqualTo("[null, 0-2, 2-4, 4-6, null]");
      assertThat(spans(prefixed)).as("▁서울 took the prefix's space: 6-9 in the prefixed text, 0-2 in the text")
          .isEqualTo("[null, null, null, 0-2, 2-4, 4-6, null]");
    }
  }

  /** A tiny SentencePiece Unigram tokenizer.json with a Metaspace pre-tokenizer, as XLM-R's. */
  private static final String METASPACE_UNIGRAM = """
      {"version": "1.0", "truncation": null, "padding": null,
       "added_tokens": [
         {"id": 0, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false,
          "special": true},
         {"id": 1, "content": "<pad>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false,
          "special": true},
         {"id": 2, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false,
          "special": true},
         {"id": 3, "content": "<unk>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false,
          "special": true}],
       "normalizer": null,
       "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true},
       "post_processor": {"type": "TemplateProcessing",
         "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                    {"SpecialToken": {"id": "</s>", "type_id": 0}}],
         "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                  {"SpecialToken": {"id": "</s>", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}},
                  {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
         "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]},
                            "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}},
       "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true},
       "model": {"type": "Unigram", "unk_id": 3, "byte_fallback": false, "vocab": [
         ["<s>", 0.0], ["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0], ["▁query", -1.0], [":", -1.5],
         ["▁", -2.0], ["▁서울", -1.0], ["에서", -1.0], ["▁비", -1.0]]}}
      """;

  @Test
  void nullTextsAreNeverPrefixed() {
    assertThat(QUERY.prefixText(null)).isNull();
    assertThat(new TextPrefixes("a", "b").prefixPair(null)).isNull();
    assertThat(new TextPrefixes("a", "b").prefixPair("c")).isEqualTo("bc");
    assertThat(new TextPrefixes("a", "b").prefixText("c")).isEqualTo("ac");
  }
}
