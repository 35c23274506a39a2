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
 * @param rows every row of the input
 * @param nullRows rows with a null text (or pair text)
 * @param repeats rows that repeat an earlier row of their window
 */
record WindowRepeats(long rows, long nullRows, long repeats) implements Serializable {

  /** @param texts the text column, and the pair column when {@code pairs}, in that order */
  static WindowRepeats count(Dataset<Row> texts, boolean pairs, int windowSize) {
    return texts.javaRDD()
        .mapPartitions((Iterator<Row> partition) -> List.of(countPartition(partition, pairs, windowSize)).iterator())
        .fold(new WindowRepeats(0, 0, 0), WindowRepeats::plus);
  }

  static WindowRepeats countPartition(Iterator<Row> partition, boolean pairs, int windowSize) {
    long rows = 0;
    long nulls = 0;
    long repeats = 0;
    List<TextInput> window = new ArrayList<>(windowSize);
    while (partition.hasNext()) {
      Row row = partition.next();
      String text = row.isNullAt(0) ? null : row.getString(0);
      TextInput input = pairs ? TextInput.ofPair(text, row.isNullAt(1) ? null : row.getString(1)) : TextInput.of(text);
      rows++;
      nulls += input.isNull() ? 1 : 0;
      window.add(input.isNull() ? null : input);
      if (window.size() == windowSize || !partition.hasNext()) {
        repeats += repeatsIn(window);
        window.clear();
      }
    }
    return new WindowRepeats(rows, nulls, repeats);
  }

  private static long repeatsIn(List<TextInput> window) {
    long repeats = 0;
    for (int sameAs : DuplicateRows.firstOccurrences(window)) {
      repeats += sameAs == DuplicateRows.FIRST ? 0 : 1;
    }
    return repeats;
  }

  WindowRepeats plus(WindowRepeats other) {
    return new WindowRepeats(rows + other.rows, nullRows + other.nullRows, repeats + other.repeats);
  }

  /** The share of non-null rows the model runs: 1 − repeats / non-null rows. */
  double runShare() {
    long nonNull = rows - nullRows;
    return nonNull == 0 ? 1 : 1 - (double) repeats / nonNull;
  }
}
