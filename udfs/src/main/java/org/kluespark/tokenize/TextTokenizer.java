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
    Encoding encoding = pair == null ? tokenizer.encode(text) : tokenizer.encode(text, pair);
    if (offsetUnit == null) {
      return new TokenizedText(encoding.getIds(), encoding.getTypeIds(), encoding.exceedMaxLength());
    }
    return new TokenizedText(encoding.getIds(), encoding.getTypeIds(), encoding.exceedMaxLength(),
        encoding.getTokens(), spans(encoding, text, pair, offsetUnit));
  }

  /** DJL hands over the Rust tokenizer's code-point offsets, null for special tokens. */
  private static TokenSpan[] spans(Encoding encoding, String text, String pair, OffsetUnit unit) {
    CharSpan[] chars = encoding.getCharTokenSpans();
    long[] sequences = encoding.getSequenceIds();
    OffsetUnit.Converter first = unit.converterFor(text);
    OffsetUnit.Converter second = unit.converterFor(pair);
    TokenSpan[] spans = new TokenSpan[chars.length];
    for (int t = 0; t < chars.length; t++) {
      CharSpan span = chars[t];
      if (span == null || sequences[t] < 0) {
        continue;
      }
      int segment = (int) sequences[t];
      OffsetUnit.Converter converter = segment == 0 ? first : second;
      spans[t] = new TokenSpan(converter.convert(span.getStart()), converter.convert(span.getEnd()), segment);
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

  @Override
  public void close() {
    tokenizer.close();
  }
}
