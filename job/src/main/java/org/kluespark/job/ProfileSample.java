package org.kluespark.job;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.kluespark.embed.TextInput;
import org.kluespark.tokenize.TextPrefixes;
import org.kluespark.tokenize.TextTokenizer;

/**
 * The rows {@code kluespark profile} looks at: a Bernoulli sample ({@code Dataset.sample}, fixed seed) of the
 * text (and pair) columns, which draws from every partition, unlike {@code limit}, which reads the first rows
 * only (often one source or one day when the input is sorted). The sample's fraction comes from the row count,
 * oversampled a little so the sample rarely comes out short, then thinned to the size asked for with an
 * even stride that keeps input order.
 *
 * @param rows the sampled rows with a text (and pair text), in input order
 * @param inputRows every row of the input, null ones included
 * @param nullRows sampled rows with a null text (or pair text), which the stage gives null outputs
 */
record ProfileSample(List<TextInput> rows, long inputRows, int nullRows) {
  static final long SEED = 42;
  private static final double OVERSAMPLE = 1.2;

  /** The text (and pair) columns alone, in that order. */
  static Dataset<Row> texts(Dataset<Row> input, String textCol, String pairCol) {
    return input.select(pairCol == null ? new Column[] {col(textCol)} : new Column[] {col(textCol), col(pairCol)});
  }

  /**
   * @param texts {@link #texts} of the input
   * @param count its rows
   */
  static ProfileSample draw(Dataset<Row> texts, boolean pairs, long count, int size) {
    double fraction = count == 0 ? 1 : Math.min(1.0, OVERSAMPLE * size / count);
    List<Row> sampled = fraction >= 1 ? texts.collectAsList() : texts.sample(false, fraction, SEED).collectAsList();
    List<TextInput> rows = new ArrayList<>();
    int nulls = 0;
    for (Row row : evenlySpaced(sampled, size)) {
      String first = row.isNullAt(0) ? null : row.getString(0);
      TextInput text = !pairs ? TextInput.of(first)
          : TextInput.ofPair(first, row.isNullAt(1) ? null : row.getString(1));
      if (text.isNull()) {
        nulls++;
      } else {
        rows.add(text);
      }
    }
    return new ProfileSample(rows, count, nulls);
  }

  /** Rows counted in the sample, null ones included. */
  int sampledRows() {
    return rows.size() + nullRows;
  }

  /**
   * Each row's token count, special tokens and the prefixes' tokens included, not truncated ({@code tokenizer}
   * must not cut).
   */
  int[] lengths(TextTokenizer tokenizer, TextPrefixes prefixes) {
    int[] lengths = new int[rows.size()];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = tokenizer.encode(rows.get(i).text(), rows.get(i).pair(), null, prefixes).length();
    }
    return lengths;
  }

  /** At most {@code n} items at an even stride, in order. */
  static <T> List<T> evenlySpaced(List<T> items, int n) {
    if (items.size() <= n) {
      return items;
    }
    List<T> picked = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      picked.add(items.get((int) ((long) i * items.size() / n)));
    }
    return picked;
  }

  /** Indices {@link #evenlySpaced} would pick from {@code size} items. */
  static int[] evenlySpacedIndices(int size, int n) {
    int count = Math.min(size, n);
    int[] indices = new int[count];
    for (int i = 0; i < count; i++) {
      indices[i] = size <= n ? i : (int) ((long) i * size / n);
    }
    return indices;
  }
}
