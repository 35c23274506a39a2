package org.kluespark.job;

import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Where embed and profile read: an --input file, directory or glob (with --format or its extension), or an
 * --input-table of the session's catalog. Exactly one of the two.
 */
final class InputSource {
  private final String path; // null for a table
  private final String table; // null for a path
  private final InputFormat format; // null: inferred from the path's extension; always null for a table

  /** The input once checked: its rows, its format (null for a table) and its files (empty for a table). */
  record Opened(Dataset<Row> rows, InputFormat format, List<FileStatus> files) {
    /** The column embedded when --text-col is not given. */
    String defaultTextColumn() {
      return format == null ? InputFormat.DEFAULT_TEXT_COLUMN : format.defaultTextColumn();
    }
  }

  private InputSource(String path, String table, InputFormat format) {
    this.path = path;
    this.table = table;
    this.format = format;
  }

  /** From the two options, exactly one of which may be given. */
  static InputSource of(String path, String table, InputFormat format) {
    if (path != null && table != null) {
      throw new IllegalArgumentException("Give --input PATH or --input-table NAME, not both.");
    }
    if (path == null && table == null) {
      throw new IllegalArgumentException("Missing input: give --input PATH or --input-table NAME.");
    }
    return table != null ? table(table, format) : path(path, format);
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

  /** For messages: "--input data.jsonl (jsonl)" or "--input-table db.docs". */
  String describe(InputFormat resolved) {
    return table != null ? "--input-table " + table : "--input " + path + " (" + resolved.optionValue() + ")";
  }

  /** The same input as {@code kluespark embed} options. */
  List<String> embedOptions(InputFormat resolved) {
    if (table != null) {
      return List.of("--input-table", table);
    }
    // The format is spelled out only when the extension would not give the same one.
    return resolved == InputFormat.fromExtension(path) ? List.of("--input", path)
        : List.of("--input", path, "--format", resolved.optionValue());
  }

  @Override
  public String toString() {
    return table != null ? "table " + table : path;
  }
}
