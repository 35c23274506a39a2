package org.kluespark.tokenize.wordpiece;

import java.util.List;
import java.util.Objects;

/**
 * What HF's {@code BertTokenizer} settings become in a fast {@code tokenizer.json}.
 *
 * @param lowercase {@code do_lower_case}
 * @param tokenizeChineseChars {@code tokenize_chinese_chars}: CJK ideographs become words of their own
 * @param stripAccents {@code strip_accents}; null follows {@code lowercase}, as BertNormalizer does
 * @param extraSpecialTokens {@code bos_token}, {@code eos_token} and {@code additional_special_tokens}, when a
 *     config names them: they only become {@code added_tokens}
 */
public record WordPieceOptions(boolean lowercase, boolean tokenizeChineseChars, Boolean stripAccents,
    SpecialToken unk, SpecialToken cls, SpecialToken sep, SpecialToken pad, SpecialToken mask,
    List<SpecialToken> extraSpecialTokens) {

  public WordPieceOptions {
    Objects.requireNonNull(unk, "unk");
    Objects.requireNonNull(cls, "cls");
    Objects.requireNonNull(sep, "sep");
    Objects.requireNonNull(pad, "pad");
    Objects.requireNonNull(mask, "mask");
    extraSpecialTokens = List.copyOf(extraSpecialTokens);
  }

  /** BertTokenizer's defaults: lowercased, CJK split, accents follow lowercase, [UNK] [CLS] [SEP] [PAD] [MASK]. */
  public static WordPieceOptions defaults() {
    return new WordPieceOptions(true, true, null, SpecialToken.of("[UNK]"), SpecialToken.of("[CLS]"),
        SpecialToken.of("[SEP]"), SpecialToken.of("[PAD]"), SpecialToken.of("[MASK]"), List.of());
  }

  /** KLUE BERT/RoBERTa's settings: {@code do_lower_case=false}, everything else default. */
  public static WordPieceOptions klue() {
    return defaults().withLowercase(false);
  }

  public WordPieceOptions withLowercase(boolean value) {
    return new WordPieceOptions(value, tokenizeChineseChars, stripAccents, unk, cls, sep, pad, mask,
        extraSpecialTokens);
  }

  public WordPieceOptions withStripAccents(Boolean value) {
    return new WordPieceOptions(lowercase, tokenizeChineseChars, value, unk, cls, sep, pad, mask,
        extraSpecialTokens);
  }

  public WordPieceOptions withTokenizeChineseChars(boolean value) {
    return new WordPieceOptions(lowercase, value, stripAccents, unk, cls, sep, pad, mask, extraSpecialTokens);
  }

  /** Whether accents are stripped in effect (BertNormalizer: {@code strip_accents} else {@code lowercase}). */
  public boolean stripsAccents() {
    return stripAccents != null ? stripAccents : lowercase;
  }
}
