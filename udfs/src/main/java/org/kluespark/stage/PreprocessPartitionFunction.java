package org.kluespark.stage;

import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

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
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        Row row = rows.next();
        int width = row.length();
        Object[] values = new Object[width + layout.width()];
        for (int c = 0; c < width; c++) {
          values[c] = row.get(c);
        }
        layout.fill(values, width, texts.read(row));
        return RowFactory.create(values);
      }
    };
  }
}
