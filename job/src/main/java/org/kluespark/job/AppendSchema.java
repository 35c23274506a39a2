package org.kluespark.job;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * --mode append adds rows only to an output with the run's columns (matched by name, as Spark's writers match
 * them), so a different model setting or input never mixes two layouts in one table.
 */
final class AppendSchema {
  private AppendSchema() {}

  /**
   * Fails naming the first column that differs.
   *
   * @param partitionColumns compared by name only: a Parquet directory's partition values come back with inferred
   *     types
   */
  static void requireSame(String output, StructType existing, StructType written, List<String> partitionColumns) {
    Map<String, StructField> before = byName(existing);
    Map<String, StructField> after = byName(written);
    for (StructField field : written.fields()) {
      StructField old = before.get(key(field.name()));
      if (old == null) {
        throw mismatch("this run writes column `" + field.name() + "` (" + field.dataType().catalogString()
            + "), which " + output + " does not have");
      }
      boolean partition = partitionColumns.stream().anyMatch(c -> key(c).equals(key(field.name())));
      String oldType = old.dataType().catalogString();
      String newType = field.dataType().catalogString();
      if (!partition && !oldType.equals(newType)) {
        throw mismatch("column `" + field.name() + "` is " + oldType + " in " + output + ", but this run writes "
            + newType);
      }
    }
    for (StructField field : existing.fields()) {
      if (!after.containsKey(key(field.name()))) {
        throw mismatch(output + " has column `" + field.name() + "` (" + field.dataType().catalogString()
            + "), which this run does not write");
      }
    }
  }

  private static IllegalArgumentException mismatch(String detail) {
    return new IllegalArgumentException("--mode append: " + detail + ". Append adds rows with the same columns "
        + "only; write to another output or pass --mode overwrite.");
  }

  private static Map<String, StructField> byName(StructType schema) {
    Map<String, StructField> fields = new LinkedHashMap<>();
    for (StructField field : schema.fields()) {
      fields.put(key(field.name()), field);
    }
    return fields;
  }

  // Spark resolves column names case-insensitively by default.
  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
