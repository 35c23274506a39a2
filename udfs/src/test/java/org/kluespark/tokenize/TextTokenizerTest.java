package org.kluespark.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.kluespark.testing.TestModels;

class TextTokenizerTest {
  private static final long CLS = 101;
  private static final long SEP = 102;

  @Test
  void singleTextGetsSpecialTokensAndNoPadding() {
    // MiniLM's tokenizer.json asks for fixed padding to 128; the stage pads per batch instead.
    try (TextTokenizer tokenizer = TextTokenizer.fromJson(TestModels.minilm().tokenizerBytes(), 128)) {
      TokenizedText text = tokenizer.encode("hello world", null);
      assertThat(text.ids()).containsExactly(CLS, 7592, 2088, SEP);
      assertThat(text.typeIds()).containsOnly(0L);
      assertThat(text.truncated()).isFalse();
    }
  }

  @Test
  void pairGetsTypeIdsZeroThenOne() {
    try (TextTokenizer tokenizer = TextTokenizer.fromJson(TestModels.minilm().tokenizerBytes(), 128)) {
      TokenizedText pair = tokenizer.encode("hello", "world");
      assertThat(pair.ids()).containsExactly(CLS, 7592, SEP, 2088, SEP);
      assertThat(pair.typeIds()).containsExactly(0L, 0L, 0L, 1L, 1L);
    }
  }

  @Test
  void pairsAreTruncatedLongestFirst() {
    try (TextTokenizer tokenizer = TextTokenizer.fromJson(TestModels.minilm().tokenizerBytes(), 10)) {
      String longText = "one two three four five six seven eight nine ten";
      TokenizedText pair = tokenizer.encode(longText, "hello world");
      assertThat(pair.length()).isEqualTo(10);
      assertThat(pair.truncated()).isTrue();
      // [CLS] a a a a a [SEP] b b [SEP]: the longer text lost tokens, the short one kept both.
      assertThat(pair.typeIds()).containsExactly(0L, 0L, 0L, 0L, 0L, 0L, 0L, 1L, 1L, 1L);
      assertThat(pair.ids()[0]).isEqualTo(CLS);
      assertThat(pair.ids()[9]).isEqualTo(SEP);
    }
  }

  @Test
  void emptyStringEncodesToSpecialTokensOnly() {
    try (TextTokenizer tokenizer = TextTokenizer.fromJson(TestModels.minilm().tokenizerBytes(), 128)) {
      assertThat(tokenizer.encode("", null).ids()).containsExactly(CLS, SEP);
    }
  }

  @Test
  void rejectsTooSmallMaxSeqLength() {
    assertThatThrownBy(() -> TextTokenizer.fromJson(TestModels.minilm().tokenizerBytes(), 1))
        .hasMessage("Invalid maxSeqLength (must be >= 2): 1");
  }
}
