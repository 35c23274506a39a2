package org.kluespark.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
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
  private static final String ROWS = "__kluespark_rows";

  private InputIds() {}

  static void requireColumn(Dataset<Row> input, String idCol) {
    if (!Arrays.asList(input.columns()).contains(idCol)) {
      throw new IllegalArgumentException("--id-col: input column `" + idCol + "` does not exist. Available columns: "
          + Arrays.toString(input.columns()) + ".");
    }
  }

  /** The input's row count, after checking its ids: one Spark job (reading the id column only) when they are fine. */
  static long requireUnique(Dataset<Row> input, String idCol) {
    Column id = col(quoted(idCol));
    Dataset<Row> perId = input.groupBy(id).agg(count(lit(1)).as(ROWS));
    Row summary = perId.agg(sum(ROWS), sum(when(id.isNull(), col(ROWS)).otherwise(0L)),
        count(when(id.isNotNull().and(col(ROWS).gt(1)), lit(1)))).head();
    long rows = summary.isNullAt(0) ? 0 : summary.getLong(0);
    long nulls = summary.isNullAt(1) ? 0 : summary.getLong(1);
    long repeatedIds = summary.getLong(2);
    if (nulls > 0) {
      throw new IllegalArgumentException("--id-col " + idCol + " is null in " + nulls + " of " + rows + " input "
          + "rows. --incremental needs an id on every row to know whether it was embedded: fill or filter them "
          + "first.");
    }
    if (repeatedIds > 0) {
      String shown = perId.where(col(ROWS).gt(1)).orderBy(id).limit(SHOWN).collectAsList().stream()
          .map(row -> row.get(0) + " (" + row.getLong(1) + " rows)").collect(Collectors.joining(", "));
      throw new IllegalArgumentException("--id-col " + idCol + " repeats " + repeatedIds + " id(s) in the input, "
          + (repeatedIds > SHOWN ? "first " + SHOWN + ": " : "") + shown + ". --incremental needs one row per id: "
          + "remove the duplicates first (e.g. dropDuplicates on " + idCol + ").");
    }
    return rows;
  }

  private static String quoted(String column) {
    return "`" + column.replace("`", "``") + "`";
  }
}
