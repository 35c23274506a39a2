package org.kluespark.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The input checks of an incremental run: the id column exists, and every row has an id no other row has. A null
 * or repeated id cannot say whether a row was embedded already, so such an input is refused rather than guessed.
 */
final class InputIds {
  static final int SHOWN = 5;

  private InputIds() {}

  static void requireColumn(Dataset<Row> input, String idCol) {
    if (!Arrays.asList(input.columns()).contains(idCol)) {
      throw new IllegalArgumentException("--id-col: input column `" + idCol + "` does not exist. Available columns: "
          + Arrays.toString(input.columns()) + ".");
    }
  }

  /** The input's row count, after checking its ids (two Spark jobs that read the id column only). */
  static long requireUnique(Dataset<Row> input, String idCol) {
    Column id = input.col(idCol);
    Row counts = input.agg(count(lit(1)), count(when(id.isNull(), lit(1)))).head();
    long rows = counts.getLong(0);
    long nulls = counts.getLong(1);
    if (nulls > 0) {
      throw new IllegalArgumentException("--id-col " + idCol + " is null in " + nulls + " of " + rows + " input "
          + "rows. --incremental needs an id on every row to know whether it was embedded: fill or filter them "
          + "first.");
    }
    Dataset<Row> repeated = input.groupBy(id).count().where(col("count").gt(1));
    List<Row> first = repeated.orderBy(col(idCol)).limit(SHOWN).collectAsList();
    if (!first.isEmpty()) {
      long repeatedIds = first.size() < SHOWN ? first.size() : repeated.count();
      String shown = first.stream().map(row -> row.get(0) + " (" + row.getLong(1) + " rows)")
          .collect(Collectors.joining(", "));
      throw new IllegalArgumentException("--id-col " + idCol + " repeats " + repeatedIds + " id(s) in the input, "
          + (repeatedIds > SHOWN ? "first " + SHOWN + ": " : "") + shown + ". --incremental needs one row per id: "
          + "remove the duplicates first (e.g. dropDuplicates on " + idCol + ").");
    }
    return rows;
  }
}
