package org.kluespark.stage;

import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.kluespark.embed.MappingIterator;

/** The executor side of {@link TextPreprocessor}: tokenizes row by row and appends the id columns. */
final class PreprocessPartitionFunction implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  private final TextColumns texts;
  private final IdLayout layout;

  PreprocessPartitionFunction(TextColumns texts, IdLayout layout) {
    this.texts = texts;
    this.layout = layout;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    return MappingIterator.map(rows, row -> {
      Object[] values = OutputRows.inputValuesWithRoom(row, layout.width());
      layout.fill(values, row.length(), texts.read(row));
      return RowFactory.create(values);
    });
  }
}
