package org.kluespark.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Pre-processing: a HuggingFace fast tokenizer (DJL's binding) configured for encoder inference.
 *
 * <p>Special tokens come from the tokenizer's own post-processor, pairs are truncated "longest first" to
 * {@code maxSeqLength} (as TF Hub's {@code bert_pack_inputs} and HF's default do), and padding is always
 * off: whatever {@code tokenizer.json} says, batches are padded later, each only to its own longest row.
 * The underlying native tokenizer is thread-safe, so one instance serves every task thread of a JVM.
 */
public final class TextTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final int maxSeqLength;

  private TextTokenizer(HuggingFaceTokenizer tokenizer, int maxSeqLength) {
    this.tokenizer = tokenizer;
    this.maxSeqLength = maxSeqLength;
  }

  /** Builds a tokenizer from the bytes of a {@code tokenizer.json}. */
  public static TextTokenizer fromJson(byte[] tokenizerJson, int maxSeqLength) {
    if (maxSeqLength < 2) {
      throw new IllegalArgumentException("Invalid maxSeqLength (must be >= 2): " + maxSeqLength);
    }
    Map<String, String> options = Map.of(
        "addSpecialTokens", "true",
        "truncation", "longest_first",
        "padding", "false",
        "maxLength", Integer.toString(maxSeqLength),
        "modelMaxLength", Integer.toString(maxSeqLength));
    try {
      return new TextTokenizer(
          HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson), options), maxSeqLength);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read tokenizer.json", e);
    }
  }

  public int maxSeqLength() {
    return maxSeqLength;
  }

  /** Encodes one text, or a pair when {@code pair} is not null. */
  public TokenizedText encode(String text, String pair) {
    return encode(text, pair, null);
  }

  /**
   * As {@link #encode(String, String)}, plus the token strings and each token's span in its original text
   * counted in {@code offsetUnit}, when that is not null. Spans survive normalization (the tokenizer aligns
   * them to the input), so {@code text.substring(start, end)} is the token's surface form.
   */
  public TokenizedText encode(String text, String pair, OffsetUnit offsetUnit) {
    return encode(text, pair, offsetUnit, TextPrefixes.NONE);
  }

  /**
   * As {@link #encode(String, String, OffsetUnit)}, with {@code prefixes} put before the text and the pair text
   * first: the prefix's tokens are real tokens (ids, token strings, {@code maxSeqLength}). Spans stay relative
   * to the texts without their prefixes, so {@code text.substring(start, end)} still holds: a token lying wholly
   * in a prefix gets a null span, like a special token, and a token that begins in the prefix and runs on into
   * the text (a prefix without a trailing separator, or a Metaspace token that takes the prefix's trailing
   * space) gets the part inside the text.
   */
  public TokenizedText encode(String text, String pair, OffsetUnit offsetUnit, TextPrefixes prefixes) {
    String first = prefixes.prefixText(text);
    String second = prefixes.prefixPair(pair);
    Encoding encoding = second == null ? tokenizer.encode(first) : tokenizer.encode(first, second);
    if (offsetUnit == null) {
      return new TokenizedText(encoding.getIds(), encoding.getTypeIds(), encoding.exceedMaxLength());
    }
    return new TokenizedText(encoding.getIds(), encoding.getTypeIds(), encoding.exceedMaxLength(),
        encoding.getTokens(), spans(encoding, text, pair, offsetUnit, prefixes));
  }

  /** DJL hands over the Rust tokenizer's code-point offsets in the prefixed texts, null for special tokens. */
  private static TokenSpan[] spans(Encoding encoding, String text, String pair, OffsetUnit unit,
      TextPrefixes prefixes) {
    CharSpan[] chars = encoding.getCharTokenSpans();
    long[] sequences = encoding.getSequenceIds();
    OffsetUnit.Converter first = unit.converterFor(text);
    OffsetUnit.Converter second = unit.converterFor(pair);
    int[] prefixLength = {prefixes.codePoints(0), prefixes.codePoints(1)};
    TokenSpan[] spans = new TokenSpan[chars.length];
    for (int t = 0; t < chars.length; t++) {
      CharSpan span = chars[t];
      if (span == null || sequences[t] < 0) {
        continue;
      }
      int segment = (int) sequences[t];
      int skip = prefixLength[segment];
      if (span.getEnd() <= skip && skip > 0) {
        continue; // the prefix's own token: no text of the row
      }
      OffsetUnit.Converter converter = segment == 0 ? first : second;
      spans[t] = new TokenSpan(converter.convert(Math.max(span.getStart() - skip, 0)),
          converter.convert(span.getEnd() - skip), segment);
    }
    return spans;
  }

  /**
   * The tokens of one text as the model sees them: special tokens included, truncated to
   * {@code maxSeqLength} (WordPiece continuations keep their {@code ##} prefix).
   */
  public String[] tokens(String text) {
    return tokenizer.encode(text).getTokens();
  }

  /** As {@link #tokens(String)}, with {@code prefixes}' text prefix before the text. */
  public String[] tokens(String text, TextPrefixes prefixes) {
    return tokens(prefixes.prefixText(text));
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
