package org.kluespark.job;

import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Where an incremental run writes: a Delta table at a path (any Hadoop file system) or a table of the session's
 * catalog. Paths are qualified ({@code file:/...}) so the same directory is one table however it was spelt.
 */
final class DeltaTarget {
  private final String path; // qualified; null for a catalog table
  private final String table; // null for a path
  private final String described;

  private DeltaTarget(String path, String table, String described) {
    this.path = path;
    this.table = table;
    this.described = described;
  }

  /** A Delta table at {@code path}, named in messages as {@code --output path}. */
  static DeltaTarget path(SparkSession spark, String path) {
    Path hadoopPath = new Path(path);
    try {
      FileSystem fs = hadoopPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
      return new DeltaTarget(fs.makeQualified(hadoopPath).toString(), null, "--output " + path);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot resolve --output " + path + ": " + e.getMessage(), e);
    }
  }

  /** A table of the session's catalog ({@code db.name} or {@code name}), named in messages as its option. */
  static DeltaTarget table(String name) {
    return new DeltaTarget(null, name, "--output-table " + name);
  }

  /** For messages: {@code --output PATH} or {@code --output-table NAME}. */
  @Override
  public String toString() {
    return described;
  }

  boolean exists(SparkSession spark) {
    if (table != null) {
      return spark.catalog().tableExists(table);
    }
    Path hadoopPath = new Path(path);
    try {
      return hadoopPath.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(hadoopPath);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot check " + described + ": " + e.getMessage(), e);
    }
  }

  /** Fails unless the existing target is a Delta table: rows are only ever added to one in a transaction. */
  DeltaTable requireDelta(SparkSession spark) {
    if (table == null) {
      if (!DeltaTable.isDeltaTable(spark, path)) {
        throw new IllegalArgumentException(described + " exists and is not a Delta table (no _delta_log). "
            + "--incremental adds rows to a Delta table in one transaction: choose a new --output, or delete this "
            + "one first.");
      }
      return DeltaTable.forPath(spark, path);
    }
    try {
      return DeltaTable.forName(spark, table);
    } catch (Exception e) { // Delta's AnalysisException "... is not a Delta table" (checked, to Java)
      throw new IllegalArgumentException(described + " exists and is not a Delta table. --incremental adds rows "
          + "to a Delta table in one transaction: choose a new table, or drop this one first.", e);
    }
  }

  /** The table's properties (its {@code TBLPROPERTIES}). */
  static Map<String, String> properties(DeltaTable delta) {
    Row detail = delta.detail().select("properties").head();
    return detail.isNullAt(0) ? Map.of() : detail.getJavaMap(0);
  }

  /**
   * Replaces the table with an empty one of {@code schema} and {@code properties} (one commit). Not CREATE OR
   * REPLACE TABLE AS SELECT: Delta 3.3 on Spark 3.5 refuses that ("does not support truncate in batch mode").
   */
  void replaceEmpty(SparkSession spark, StructType schema, Map<String, String> properties, List<String> partitionBy) {
    DeltaTableBuilder builder = DeltaTable.replace(spark).addColumns(schema);
    if (!partitionBy.isEmpty()) {
      builder = builder.partitionedBy(partitionBy.toArray(String[]::new));
    }
    builder = table != null ? builder.tableName(table) : builder.location(path);
    for (Map.Entry<String, String> property : properties.entrySet()) {
      builder = builder.property(property.getKey(), property.getValue());
    }
    builder.execute();
  }

  /** The name {@code DataFrameWriterV2} and SQL take: the table's, or {@code delta.`path`}. */
  String identifier() {
    return table != null ? table : "delta.`" + path.replace("`", "``") + "`";
  }
}
