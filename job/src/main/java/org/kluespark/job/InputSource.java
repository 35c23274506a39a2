package org.kluespark.job;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Where a command's rows come from: a file, directory or glob ({@code --input}, with {@code --format} or its
 * extension) or a table of the session's catalog ({@code --input-table}, read with {@code spark.table}).
 * Exactly one of the two.
 */
record InputSource(String path, InputFormat format, String table) {

  InputSource {
    if (path != null && table != null) {
      throw new IllegalArgumentException("Give --input PATH or --input-table NAME, not both.");
    }
    if (path == null && table == null) {
      throw new IllegalArgumentException("Missing input: give --input PATH or --input-table NAME.");
    }
    if (table != null && format != null) {
      throw new IllegalArgumentException("--format applies to --input only; --input-table " + table
          + " is read in its own format.");
    }
  }

  /** The rows, and the path's format (null for a table). Fails when the path or table does not exist. */
  Read read(SparkSession spark) {
    if (table != null) {
      if (!spark.catalog().tableExists(table)) {
        throw new IllegalArgumentException("--input-table " + table + " does not exist in the session's catalog "
            + "(current database " + spark.catalog().currentDatabase() + "). Check the name, or qualify it as "
            + "database.table.");
      }
      return new Read(spark.table(table), null);
    }
    var inputs = PathChecks.requireInput(path, spark.sparkContext().hadoopConfiguration());
    InputFormat resolved = InputFormat.resolve(format, path, PathChecks.isSingleDirectory(inputs));
    return new Read(resolved.read(spark, path), resolved);
  }

  /** @param format the path's format, null for a table */
  record Read(Dataset<Row> rows, InputFormat format) {
    /** The column embedded when --text-col is not given. */
    String defaultTextColumn() {
      return format == null ? InputFormat.DEFAULT_TEXT_COLUMN : format.defaultTextColumn();
    }
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
}
