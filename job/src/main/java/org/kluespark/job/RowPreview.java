package org.kluespark.job;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.collection.JavaConverters;

/**
 * --show: the first rows of the output, one line each, readable in a terminal: long texts are cut to
 * {@value #TEXT_WIDTH} characters and vectors are shown as their first {@value #VECTOR_HEAD} numbers and their
 * dimension.
 */
final class RowPreview {
  static final int TEXT_WIDTH = 40;
  static final int VECTOR_HEAD = 4;

  private RowPreview() {}

  static void print(Dataset<Row> rows, int count, PrintWriter out) {
    List<Row> first = rows.limit(count).collectAsList();
    for (Row row : first) {
      out.println(line(row));
    }
    out.flush();
  }

  static String line(Row row) {
    StringJoiner line = new StringJoiner(" | ");
    String[] names = row.schema().fieldNames();
    for (int i = 0; i < names.length; i++) {
      line.add(names[i] + "=" + value(row.get(i)));
    }
    return line.toString();
  }

  static String value(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String text) {
      return '"' + truncate(text) + '"';
    }
    if (value instanceof Vector vector) {
      return numbers(vector.toArray());
    }
    if (value instanceof scala.collection.Seq<?> seq) {
      return sequence(JavaConverters.seqAsJavaList(seq));
    }
    if (value instanceof List<?> list) {
      return sequence(list);
    }
    if (value instanceof Row struct) {
      return truncate(struct(struct));
    }
    return truncate(String.valueOf(value));
  }

  /**
   * Float arrays (embeddings) as their head and dimension; arrays of arrays (token vectors) as their shape;
   * other arrays (labels, annotator ids) as a list.
   */
  private static String sequence(List<?> values) {
    Object first = values.isEmpty() ? null : values.get(0);
    if (first instanceof scala.collection.Seq<?> || first instanceof List<?>) {
      int inner = first instanceof scala.collection.Seq<?> seq ? seq.size() : ((List<?>) first).size();
      return "[" + values.size() + " x " + inner + "]";
    }
    if (first instanceof Float || first instanceof Double) {
      double[] numbers = new double[values.size()];
      for (int i = 0; i < numbers.length; i++) {
        Object element = values.get(i);
        numbers[i] = element == null ? Double.NaN : ((Number) element).doubleValue();
      }
      return numbers(numbers);
    }
    StringJoiner list = new StringJoiner(", ", "[", "]");
    values.forEach(element -> list.add(value(element)));
    return truncate(list.toString());
  }

  private static String struct(Row row) {
    StringJoiner fields = new StringJoiner(", ", "{", "}");
    String[] names = row.schema().fieldNames();
    for (int i = 0; i < names.length; i++) {
      fields.add(names[i] + "=" + value(row.get(i)));
    }
    return fields.toString();
  }

  private static String numbers(double[] values) {
    StringJoiner head = new StringJoiner(", ", "[", "");
    for (int i = 0; i < Math.min(VECTOR_HEAD, values.length); i++) {
      head.add(String.format(Locale.ROOT, "%.4f", values[i]));
    }
    String more = values.length > VECTOR_HEAD ? ", ...]" : "]";
    return head + more + " (" + values.length + ")";
  }

  /** At most TEXT_WIDTH characters (code points, so Korean and emoji are never split). */
  static String truncate(String text) {
    String oneLine = text.replace('\n', ' ').replace('\r', ' ');
    if (oneLine.codePointCount(0, oneLine.length()) <= TEXT_WIDTH) {
      return oneLine;
    }
    int end = oneLine.offsetByCodePoints(0, TEXT_WIDTH - 1);
    return oneLine.substring(0, end) + "…";
  }
}
