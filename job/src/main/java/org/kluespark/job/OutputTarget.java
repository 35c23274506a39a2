package org.kluespark.job;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.kluespark.params.ParamEnum;

/**
 * Where embed writes: an --output path or an --output-table of the session's catalog, with its format, --mode and
 * --partition-by. Checks what can be checked before the run, then writes and reads back.
 */
final class OutputTarget {
  static final String DELTA_LOG = "_delta_log";

  private final String path; // null for a table
  private final String table; // null for a path
  private final OutputFormat format; // null: the session's default table format
  private final boolean formatGiven;
  private final WriteMode mode;
  private final List<String> partitionBy;

  private OutputTarget(String path, String table, OutputFormat format, boolean formatGiven, WriteMode mode,
      List<String> partitionBy) {
    this.path = path;
    this.table = table;
    this.format = format;
    this.formatGiven = formatGiven;
    this.mode = mode;
    this.partitionBy = List.copyOf(partitionBy);
  }

  /** A directory; Parquet unless {@code format} says otherwise. */
  static OutputTarget path(String path, OutputFormat format, WriteMode mode, List<String> partitionBy) {
    return new OutputTarget(path, null, format == null ? OutputFormat.PARQUET : format, format != null, mode,
        partitionBy);
  }

  /**
   * A catalog table. Without {@code format}: Delta when Delta Lake is on the classpath, else the session's
   * default ({@code spark.sql.sources.default}); appending to or overwriting an existing table keeps the table's
   * own format.
   */
  static OutputTarget table(String table, OutputFormat format, WriteMode mode, List<String> partitionBy,
      boolean deltaOnClasspath) {
    OutputFormat chosen = format != null ? format : deltaOnClasspath ? OutputFormat.DELTA : null;
    return new OutputTarget(null, table, chosen, format != null, mode, partitionBy);
  }

  boolean isTable() {
    return table != null;
  }

  /** The path, or null for a table. */
  String path() {
    return path;
  }

  /** The table name, or null for a path. */
  String table() {
    return table;
  }

  /** The format written, or null for a table written in the session's default format. */
  OutputFormat format() {
    return format;
  }

  WriteMode mode() {
    return mode;
  }

  List<String> partitionBy() {
    return partitionBy;
  }

  boolean usesDelta() {
    return format == OutputFormat.DELTA;
  }

  /** How messages name the output: "--output PATH" or "--output-table NAME". */
  String option() {
    return table != null ? "--output-table " + table : "--output " + path;
  }

  /**
   * Before any Spark job: a path may not be or hold the input, an existing output needs --mode overwrite or
   * append, and appending keeps the existing output's format.
   */
  void checkBeforeRun(SparkSession spark, List<FileStatus> inputFiles) {
    if (table != null) {
      if (mode == WriteMode.ERRORIFEXISTS && TableNames.exists(spark, table)) {
        throw new IllegalArgumentException(option() + " already exists. Pass --mode overwrite to replace it or "
            + "--mode append to add rows to it, or choose another --output-table.");
      }
      return;
    }
    Configuration hadoopConf = spark.sparkContext().hadoopConfiguration();
    PathChecks.checkOutput(path, mode, inputFiles, hadoopConf);
    if (mode == WriteMode.APPEND) {
      requireAppendableFormat(hadoopConf);
    }
  }

  /** Appending Parquet files to a Delta directory (or the reverse) would leave rows that readers never see. */
  private void requireAppendableFormat(Configuration hadoopConf) {
    Path dir = new Path(path);
    try {
      FileSystem fs = dir.getFileSystem(hadoopConf);
      FileStatus[] entries;
      try {
        entries = fs.listStatus(dir);
      } catch (FileNotFoundException e) {
        return; // nothing there yet: append creates it
      }
      boolean isDelta = fs.exists(new Path(dir, DELTA_LOG));
      if (isDelta && format != OutputFormat.DELTA) {
        throw new IllegalArgumentException("--mode append: " + option() + " is a Delta table (it has " + DELTA_LOG
            + "); pass --output-format delta to append to it.");
      }
      if (!isDelta && format == OutputFormat.DELTA && entries.length > 0) {
        throw new IllegalArgumentException("--mode append: " + option() + " holds files but is not a Delta table "
            + "(no " + DELTA_LOG + "); pass --output-format parquet to append to it, or write Delta elsewhere.");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot check " + option() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes {@code rows} after checking the partition columns and, when appending to an existing output, that its
   * columns are the run's. A failed run leaves the output as it was: Delta commits in one transaction, Spark's
   * file commit protocol publishes a Parquet path's files only when the job succeeds, and an existing Parquet path
   * is overwritten by a swap ({@link StagedOverwrite}). Overwriting a Parquet table has no such swap.
   */
  void write(SparkSession spark, Dataset<Row> rows) {
    String source = requireWritable(spark, rows.schema());
    if (overwritesDeltaTable(spark, source)) {
      overwriteDeltaTable(rows);
      return;
    }
    DataFrameWriter<Row> writer = rows.write().mode(mode.saveMode());
    if (source != null) {
      writer.format(source);
    }
    if (!partitionBy.isEmpty()) {
      writer.partitionBy(partitionBy.toArray(String[]::new));
    }
    if (table != null) {
      writer.saveAsTable(table);
    } else if (mode == WriteMode.OVERWRITE && format == OutputFormat.PARQUET && exists(spark)) {
      StagedOverwrite.write(path, spark.sparkContext().hadoopConfiguration(), writer::save);
    } else {
      writer.save(path);
    }
  }

  /**
   * Fails when rows of {@code schema} cannot be written: an unknown --partition-by column, or an append to an
   * output with other columns or (a table) another format. Returns the data source to write with, null for the
   * session's default.
   */
  String requireWritable(SparkSession spark, StructType schema) {
    requirePartitionColumns(schema);
    boolean appending = mode == WriteMode.APPEND && exists(spark);
    String source = format == null ? null : format.source();
    if (table != null && mode != WriteMode.ERRORIFEXISTS && exists(spark)) {
      source = existingTableSource(spark);
    }
    if (appending) {
      AppendSchema.requireSame(option(), read(spark).schema(), schema, partitionBy);
    }
    if (overwritesDeltaTable(spark, source)) {
      requireSamePartitioning(spark);
    }
    return source;
  }

  private boolean overwritesDeltaTable(SparkSession spark, String source) {
    return table != null && mode == WriteMode.OVERWRITE && OutputFormat.DELTA.source().equals(source)
        && exists(spark);
  }

  /**
   * Replaces an existing Delta table's rows (and columns) in one Delta transaction, keeping the table, its history
   * and its partitioning. Not saveAsTable: on Spark 3.5.7 with Delta 3.3.2 its replace path fails ("does not
   * support truncate in batch mode").
   */
  private void overwriteDeltaTable(Dataset<Row> rows) {
    try {
      rows.writeTo(table).option("overwriteSchema", "true").overwrite(functions.lit(true));
    } catch (RuntimeException e) {
      throw e;
    } catch (AnalysisException e) { // declared (NoSuchTableException) on one Spark line, not the other
      throw new IllegalArgumentException(option() + ": " + e.getMessage(), e);
    } catch (Exception e) { // Spark's job failures are checked SparkExceptions, thrown through Scala
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** An existing Delta table keeps its partitioning when overwritten; another --partition-by is refused. */
  private void requireSamePartitioning(SparkSession spark) {
    Row detail = spark.sql("DESCRIBE DETAIL " + table).first();
    List<String> current = detail.getList(detail.fieldIndex("partitionColumns"));
    if (!partitionBy.isEmpty() && !partitionBy.equals(current)) {
      throw new IllegalArgumentException("--mode overwrite keeps " + option() + "'s partitioning " + current
          + "; --partition-by " + String.join(",", partitionBy) + " would change it. Drop the table first, or "
          + "write another one.");
    }
  }

  /**
   * An existing table is appended to or overwritten in its own format; a different --output-format is refused
   * (changing a table's format means dropping it, which the job does not do).
   */
  private String existingTableSource(SparkSession spark) {
    String existing = TableNames.provider(spark, table);
    if (existing == null) {
      return format == null ? null : format.source();
    }
    if (formatGiven && !existing.equals(format.source())) {
      throw new IllegalArgumentException("--mode " + ParamEnum.valueOf(mode) + ": " + option() + " is a " + existing
          + " table; --output-format " + format.source() + " cannot write to it. Drop --output-format or pass "
          + existing + ", or drop the table first.");
    }
    return existing;
  }

  /** Unknown columns fail here, naming the column and the ones there are. */
  private void requirePartitionColumns(StructType schema) {
    List<String> available = Arrays.asList(schema.fieldNames());
    Set<String> seen = new LinkedHashSet<>();
    for (String column : partitionBy) {
      if (!available.contains(column)) {
        throw new IllegalArgumentException("--partition-by: column `" + column + "` is not in the output. "
            + "Available columns: " + available);
      }
      if (!seen.add(column)) {
        throw new IllegalArgumentException("--partition-by: column `" + column + "` is given twice.");
      }
    }
  }

  boolean exists(SparkSession spark) {
    if (table != null) {
      return TableNames.exists(spark, table);
    }
    Path dir = new Path(path);
    try {
      return dir.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot check " + option() + ": " + e.getMessage(), e);
    }
  }

  /** The output as it now is (for --show, an append's schema check, an incremental run's ids). */
  Dataset<Row> read(SparkSession spark) {
    if (table != null) {
      return spark.table(table);
    }
    return spark.read().format(format.source()).load(path);
  }

  /** For the summary line: the path, or "table NAME (format)". */
  @Override
  public String toString() {
    if (table == null) {
      return format == OutputFormat.PARQUET ? path : path + " (" + format.source() + ")";
    }
    return "table " + table + (format == null ? "" : " (" + format.source() + ")");
  }
}
