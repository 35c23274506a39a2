package org.kluespark.stage;

import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.kluespark.embed.Embedding;
import org.kluespark.embed.TextInput;

/**
 * The executor side of the stage: streams a partition through the {@link PartitionEmbedder} and appends
 * the output columns to each input row, in input order.
 */
final class EmbedPartitionFunction implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  private final PartitionEmbedder embedder;
  private final int textIndex;
  private final int pairIndex; // -1 without a pair column
  private final OutputLayout layout;

  EmbedPartitionFunction(PartitionEmbedder embedder, int textIndex, int pairIndex, OutputLayout layout) {
    this.embedder = embedder;
    this.textIndex = textIndex;
    this.pairIndex = pairIndex;
    this.layout = layout;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    return embedder.embed(rows, this::inputOf, this::withOutputs);
  }

  private Row withOutputs(Row row, Embedding embedding) {
    int width = row.length();
    Object[] values = new Object[width + layout.width()];
    for (int c = 0; c < width; c++) {
      values[c] = row.get(c);
    }
    layout.fill(values, width, embedding);
    return RowFactory.create(values);
  }

  /** A null text, or a null second text of a pair, gives the row null outputs. */
  private TextInput inputOf(Row row) {
    String text = row.isNullAt(textIndex) ? null : row.getString(textIndex);
    if (pairIndex < 0) {
      return TextInput.of(text);
    }
    return TextInput.ofPair(text, row.isNullAt(pairIndex) ? null : row.getString(pairIndex));
  }
}
