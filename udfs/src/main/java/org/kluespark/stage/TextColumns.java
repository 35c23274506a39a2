package org.kluespark.stage;

import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.kluespark.tokenize.OffsetUnit;
import org.kluespark.tokenize.TextPrefixes;
import org.kluespark.tokenize.TextTokenizer;
import org.kluespark.tokenize.TokenizedText;
import org.kluespark.tokenize.TokenizerCache;
import org.kluespark.tokenize.TokenizerSource;

/**
 * Tokenizes a text column, or a pair of them, with the JVM's shared tokenizer, each text after its instruction
 * prefix ({@code textPrefix}, {@code pairPrefix}). A null text, or a null second text of a pair, gives the row
 * null outputs and is never prefixed.
 */
final class TextColumns implements TokenSource {
  private static final long serialVersionUID = 1L;

  private final Broadcast<? extends TokenizerSource> tokenizerSource;
  private final int maxSeqLength;
  private final int textIndex;
  private final int pairIndex; // -1 without a pair column
  private final OffsetUnit offsetUnit; // null when the stage outputs no tokens or offsets
  private final TextPrefixes prefixes;
  private transient TextTokenizer tokenizer;

  TextColumns(Broadcast<? extends TokenizerSource> tokenizerSource, int maxSeqLength, int textIndex, int pairIndex,
      OffsetUnit offsetUnit, TextPrefixes prefixes) {
    this.tokenizerSource = tokenizerSource;
    this.maxSeqLength = maxSeqLength;
    this.textIndex = textIndex;
    this.pairIndex = pairIndex;
    this.offsetUnit = offsetUnit;
    this.prefixes = prefixes;
  }

  /** The columns {@code stage} reads in {@code schema}, tokenized as it asks (offsets only when it outputs them). */
  static TextColumns of(HasTextInput<?> stage, Broadcast<? extends TokenizerSource> tokenizerSource,
      int maxSeqLength, StructType schema) {
    String pairCol = stage.getPairCol();
    return new TextColumns(tokenizerSource, maxSeqLength, schema.fieldIndex(stage.getInputCol()),
        pairCol == null ? -1 : schema.fieldIndex(pairCol),
        TokenColumns.of(stage).any() ? OffsetUnit.fromParam(stage.getOffsetUnit()) : null, stage.textPrefixes());
  }

  /**
   * The prefixes, text and pair text: equal keys tokenize equally (offsets included), and a row is never taken
   * for one with the same text under another prefix. Null for a null row.
   */
  @Override
  public Object duplicateKey(Row row) {
    String text = row.isNullAt(textIndex) ? null : row.getString(textIndex);
    String pair = pairIndex < 0 || row.isNullAt(pairIndex) ? null : row.getString(pairIndex);
    if (text == null || (pairIndex >= 0 && pair == null)) {
      return null;
    }
    return new Key(prefixes, text, pair);
  }

  /** What the tokenizer reads of a row, without concatenating the prefixes. */
  private record Key(TextPrefixes prefixes, String text, String pair) {}

  @Override
  public TokenizedText read(Row row) {
    String text = row.isNullAt(textIndex) ? null : row.getString(textIndex);
    String pair = pairIndex < 0 || row.isNullAt(pairIndex) ? null : row.getString(pairIndex);
    if (text == null || (pairIndex >= 0 && pair == null)) {
      return null;
    }
    if (tokenizer == null) {
      tokenizer = TokenizerCache.get(tokenizerSource.value(), maxSeqLength);
    }
    return tokenizer.encode(text, pair, offsetUnit, prefixes);
  }
}
