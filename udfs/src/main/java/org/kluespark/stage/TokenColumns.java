package org.kluespark.stage;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.kluespark.tokenize.TokenSpan;
import org.kluespark.tokenize.TokenizedText;
import scala.Predef$;

/**
 * The optional {@code tokensCol} and {@code offsetsCol} outputs, aligned 1:1 with a row's tokens (and so
 * with {@code sequence_output}'s rows): the token strings, and each token's span in its original text as
 * {@code struct<start:int,end:int,segment:int>} ({@code segment} 0 = {@code inputCol}, 1 = {@code pairCol}),
 * null for special tokens, which have no text.
 */
record TokenColumns(String tokensCol, String offsetsCol) implements Serializable {
  static final DataType TOKENS = DataTypes.createArrayType(DataTypes.StringType, false);
  static final StructType SPAN = new StructType()
      .add("start", DataTypes.IntegerType, false)
      .add("end", DataTypes.IntegerType, false)
      .add("segment", DataTypes.IntegerType, false);
  static final DataType OFFSETS = DataTypes.createArrayType(SPAN, true);

  static final TokenColumns NONE = new TokenColumns(null, null);

  /** The token columns {@code stage} outputs (none when neither is set). */
  static TokenColumns of(HasTextInput<?> stage) {
    return new TokenColumns(stage.getTokensCol(), stage.getOffsetsCol());
  }

  /** Whether rows must be tokenized with token strings and spans. */
  boolean any() {
    return tokensCol != null || offsetsCol != null;
  }

  int width() {
    return (tokensCol != null ? 1 : 0) + (offsetsCol != null ? 1 : 0);
  }

  StructType appendTo(StructType schema) {
    StructType out = schema;
    if (tokensCol != null) {
      out = out.add(new StructField(tokensCol, TOKENS, true, Metadata.empty()));
    }
    if (offsetsCol != null) {
      out = out.add(new StructField(offsetsCol, OFFSETS, true, Metadata.empty()));
    }
    return out;
  }

  void addColumns(List<OutputLayout.Column> columns) {
    if (tokensCol != null) {
      columns.add(new OutputLayout.Column("tokensCol", tokensCol));
    }
    if (offsetsCol != null) {
      columns.add(new OutputLayout.Column("offsetsCol", offsetsCol));
    }
  }

  /** Writes the row's values at {@code values[offset...]}; nulls for a null row. */
  void fill(Object[] values, int offset, TokenizedText text) {
    if (text == null) {
      return;
    }
    int column = offset;
    // Seqs rather than raw arrays, so Row.getList works in a mapPartitions right after the stage. Predef's
    // wrappers (no copy) exist on Scala 2.12 and 2.13 alike; immutable.ArraySeq is 2.13 only.
    if (tokensCol != null) {
      // A copy: rows with the same text share one TokenizedText (reuseDuplicates), and a Seq handed to user
      // code without serialization could be modified in place.
      values[column++] = Predef$.MODULE$.wrapRefArray(text.tokens().clone());
    }
    if (offsetsCol != null) {
      Row[] spans = new Row[text.length()];
      for (int t = 0; t < spans.length; t++) {
        TokenSpan span = text.spans()[t];
        spans[t] = span == null ? null : RowFactory.create(span.start(), span.end(), span.segment());
      }
      values[column] = Predef$.MODULE$.wrapRefArray(spans);
    }
  }
}
