package org.kluespark.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.monotonically_increasing_id;

import java.io.PrintWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Gives an input with fewer partitions than the cluster has task slots (one small file, a KLUE {@code .json}
 * array, which Spark cannot split) enough partitions to keep every core busy, without changing row order:
 * rows are numbered, range-partitioned on that number and sorted within each partition, so partition i
 * holds the i-th run of input rows and the Parquet part files read back in input order.
 */
final class InputSpreader {
  private static final String ORDER_COLUMN = "__kluespark_input_order";

  private InputSpreader() {}

  /**
   * @param requested partitions asked for with --partitions, or null for automatic
   * @param slots the cluster's default parallelism
   */
  static Dataset<Row> spread(Dataset<Row> rows, Integer requested, int slots, PrintWriter err) {
    int current = rows.rdd().getNumPartitions();
    int target = requested != null ? requested : Math.max(current, slots);
    if (target == current) {
      return rows;
    }
    err.printf("kluespark: input has %d partition(s); embedding in %d partitions, in input order%s.%n", current,
        target, requested != null ? "" : " (to use every core; --partitions N chooses)");
    return rows.withColumn(ORDER_COLUMN, monotonically_increasing_id())
        .repartitionByRange(target, col(ORDER_COLUMN))
        .sortWithinPartitions(ORDER_COLUMN)
        .drop(ORDER_COLUMN);
  }
}
