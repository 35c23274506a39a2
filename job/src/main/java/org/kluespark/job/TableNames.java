package org.kluespark.job;

import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Catalog look-ups for --input-table and --output-table names (plain or qualified {@code db.table}). */
final class TableNames {
  private TableNames() {}

  static boolean exists(SparkSession spark, String table) {
    try {
      return spark.catalog().tableExists(table);
    } catch (RuntimeException e) { // an unparsable name or a missing database: it does not exist either way
      return false;
    }
  }

  /** Fails naming the table, the current database and how to list what exists. */
  static void requireExisting(SparkSession spark, String option, String table) {
    if (!exists(spark, table)) {
      String database = spark.catalog().currentDatabase();
      int dot = table.lastIndexOf('.');
      String show = dot > 0 ? "SHOW TABLES IN " + table.substring(0, dot) : "SHOW TABLES";
      throw new IllegalArgumentException(option + " " + table + " does not exist in the session's catalog "
          + "(current database: " + database + "). Check the name with " + show + ", or give a path with "
          + (option.startsWith("--input") ? "--input" : "--output") + " instead.");
    }
  }

  /** The table's data source as DESCRIBE TABLE EXTENDED shows it ("delta", "parquet"), lower case; null if none. */
  static String provider(SparkSession spark, String table) {
    for (Row row : spark.sql("DESCRIBE TABLE EXTENDED " + table).collectAsList()) {
      if ("Provider".equals(row.getString(0)) && row.get(1) != null) {
        return row.getString(1).strip().toLowerCase(Locale.ROOT);
      }
    }
    return null;
  }
}
