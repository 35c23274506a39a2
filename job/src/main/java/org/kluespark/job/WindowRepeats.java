package org.kluespark.job;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.kluespark.embed.DuplicateRows;
import org.kluespark.embed.TextInput;

/**
 * One pass over the whole input (no tokenizing) counting what {@code reuseDuplicates} saves: rows whose text
 * (and pair text) an earlier row of the same window already has, windows being runs of {@code windowSize}
 * consecutive rows of a partition, as the stage cuts them. A sample cannot tell this: two copies of a text are
 * rarely both sampled, and the stage only reuses within a window.
 *
 * <p>Repeats are often not average rows (a premise repeated for each of its hypotheses is longer than they
 * are), so the work they save is measured in characters too, which track token counts within a language.
 *
 * @param rows every row of the input
 * @param nullRows rows with a null text (or pair text)
 * @param repeats rows that repeat an earlier row of their window
 * @param chars characters of the non-null rows (text plus pair text)
 * @param repeatChars characters of the repeats
 */
record WindowRepeats(long rows, long nullRows, long repeats, long chars, long repeatChars) implements Serializable {


  /** @param texts the text column, and the pair column when {@code pairs}, in that order */
  static WindowRepeats count(Dataset<Row> texts, boolean pairs, int windowSize) {
    return texts.javaRDD()
        .mapPartitions((Iterator<Row> partition) -> List.of(countPartition(partition, pairs, windowSize)).iterator())
        .fold(new WindowRepeats(0, 0, 0, 0, 0), WindowRepeats::plus);
  }

  static WindowRepeats countPartition(Iterator<Row> partition, boolean pairs, int windowSize) {
    long rows = 0;
    long nulls = 0;
    long repeats = 0;
    long chars = 0;
    long repeatChars = 0;
    List<TextInput> window = new ArrayList<>(windowSize);
    while (partition.hasNext()) {
      Row row = partition.next();
      String text = row.isNullAt(0) ? null : row.getString(0);
      TextInput input = pairs ? TextInput.ofPair(text, row.isNullAt(1) ? null : row.getString(1)) : TextInput.of(text);
      rows++;
      nulls += input.isNull() ? 1 : 0;
      window.add(input.isNull() ? null : input);
      chars += chars(input);
      if (window.size() == windowSize || !partition.hasNext()) {
        int[] sameAs = DuplicateRows.firstOccurrences(window);
        for (int i = 0; i < sameAs.length; i++) {
          if (sameAs[i] != DuplicateRows.FIRST) {
            repeats++;
            repeatChars += chars(window.get(i));
          }
        }
        window.clear();
      }
    }
    return new WindowRepeats(rows, nulls, repeats, chars, repeatChars);
  }

  private static long chars(TextInput input) {
    if (input == null || input.isNull()) {
      return 0;
    }
    return input.text().length() + (input.pair() == null ? 0 : input.pair().length());
  }

  WindowRepeats plus(WindowRepeats other) {
    return new WindowRepeats(rows + other.rows, nullRows + other.nullRows, repeats + other.repeats,
        chars + other.chars, repeatChars + other.repeatChars);
  }

  /** The share of non-null rows that repeat an earlier row of their window. */
  double repeatShare() {
    long nonNull = rows - nullRows;
    return nonNull == 0 ? 0 : (double) repeats / nonNull;
  }

  /** The share of the work the model does, by characters: 1 − repeats' characters / all characters. */
  double runShare() {
    return chars == 0 ? 1 : 1 - (double) repeatChars / chars;
  }
}
