package org.kluespark.stage;

import org.apache.spark.sql.Row;

/** Output rows of the stages: every input column untouched, then the stage's own columns. */
final class OutputRows {
  private OutputRows() {}

  /** The row's values followed by {@code extra} empty slots for the stage's columns. */
  static Object[] inputValuesWithRoom(Row row, int extra) {
    int width = row.length();
    Object[] values = new Object[width + extra];
    for (int c = 0; c < width; c++) {
      values[c] = row.get(c);
    }
    return values;
  }
}
