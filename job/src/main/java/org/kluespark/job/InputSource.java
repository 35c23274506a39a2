package org.kluespark.job;

import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Where embed reads: an --input path in some format, or an --input-table of the session's catalog. */
final class InputSource {
  private final String path; // null for a table
  private final String table; // null for a path
  private final InputFormat format; // null: inferred from the path's extension; always null for a table

  /** The input once checked: its rows, its format (null for a table) and its files (empty for a table). */
  record Opened(Dataset<Row> rows, InputFormat format, List<FileStatus> files) {}

  private InputSource(String path, String table, InputFormat format) {
    this.path = path;
    this.table = table;
    this.format = format;
  }

  static InputSource path(String path, InputFormat format) {
    return new InputSource(path, null, format);
  }

  static InputSource table(String table, InputFormat format) {
    if (format != null) {
      throw new IllegalArgumentException("--format " + format.optionValue() + " applies to --input paths; "
          + "--input-table " + table + " is read in its own format, so drop --format.");
    }
    return new InputSource(null, table, null);
  }

  boolean isTable() {
    return table != null;
  }

  /** True when reading needs Delta Lake (a Delta path; a table's format is only known once the session runs). */
  boolean usesDelta() {
    return format == InputFormat.DELTA;
  }

  /** Checks the input exists (before any Spark job) and returns its lazily read rows. */
  Opened open(SparkSession spark) {
    if (table != null) {
      TableNames.requireExisting(spark, "--input-table", table);
      return new Opened(spark.table(table), null, List.of());
    }
    List<FileStatus> files = PathChecks.requireInput(path, spark.sparkContext().hadoopConfiguration());
    InputFormat resolved = InputFormat.resolve(format, path, PathChecks.isSingleDirectory(files));
    return new Opened(resolved.read(spark, path), resolved, files);
  }

  @Override
  public String toString() {
    return table != null ? "table " + table : path;
  }
}
