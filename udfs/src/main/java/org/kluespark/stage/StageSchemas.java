package org.kluespark.stage;

import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.kluespark.model.ModelSignature;
import org.kluespark.pooling.Pooling;

/** Checks the stages share: input column types, new output names, pooling against the model. */
final class StageSchemas {
  private StageSchemas() {}

  static void requireStringColumn(StructType schema, String param, String column) {
    StructField field = field(schema, param, column);
    if (!DataTypes.StringType.equals(field.dataType())) {
      throw new IllegalArgumentException(param + ": input column `" + column + "` must be StringType but got "
          + field.dataType().simpleString() + "; cast it to string first.");
    }
  }

  /** An {@code array<int>} or {@code array<bigint>} column, as a preprocessor writes token ids. */
  /**
   * Fails unless the stage's inputCol, and its pairCol when set, are string columns of {@code schema}, and
   * unless a pairPrefix has a pair text to go before (it would be ignored).
   */
  static void requireTextColumns(StructType schema, HasTextInput<?> stage) {
    requireStringColumn(schema, stage.inputCol().name(), stage.getInputCol());
    if (stage.getPairCol() != null) {
      requireStringColumn(schema, stage.pairCol().name(), stage.getPairCol());
    } else if (!stage.getPairPrefix().isEmpty()) {
      throw new IllegalArgumentException("pairPrefix is '" + stage.getPairPrefix() + "' but pairCol is not set, so "
          + "there is no second text to put it before; set pairCol, or use textPrefix for the single texts of "
          + "inputCol.");
    }
  }

  static void requireIdColumn(StructType schema, String param, String column) {
    StructField field = field(schema, param, column);
    DataType type = field.dataType();
    boolean ok = type instanceof ArrayType array && (DataTypes.IntegerType.equals(array.elementType())
        || DataTypes.LongType.equals(array.elementType()));
    if (!ok) {
      throw new IllegalArgumentException(param + ": input column `" + column + "` must be array<int> or "
          + "array<bigint> but got " + type.simpleString() + "; TextPreprocessor writes array<int>.");
    }
  }

  private static StructField field(StructType schema, String param, String column) {
    if (!schema.getFieldIndex(column).isDefined()) {
      throw new IllegalArgumentException(param + ": input column `" + column + "` does not exist. Available "
          + "columns: " + Arrays.toString(schema.fieldNames()));
    }
    return schema.apply(column);
  }

  /** Output columns must be new and differ from each other. */
  static void requireNewColumns(StructType schema, List<OutputLayout.Column> columns) {
    for (int i = 0; i < columns.size(); i++) {
      OutputLayout.Column column = columns.get(i);
      if (schema.getFieldIndex(column.name()).isDefined()) {
        throw new IllegalArgumentException(column.param() + ": output column `" + column.name() + "` already "
            + "exists; choose another name or drop the column first.");
      }
      for (int j = 0; j < i; j++) {
        if (columns.get(j).name().equals(column.name())) {
          throw new IllegalArgumentException(column.param() + " and " + columns.get(j).param() + " are both `"
              + column.name() + "`; give them different names.");
        }
      }
    }
  }

  /** {@code pooling} resolved against the model: never {@code auto}; {@code pooler} needs a pooler output. */
  static Pooling resolvePooling(String pooling, ModelSignature signature, String modelPath) {
    Pooling requested = Pooling.fromParam(pooling);
    if (requested == Pooling.POOLER && !signature.hasPooler()) {
      throw new IllegalArgumentException("pooling=pooler, but the model at " + modelPath
          + " has no pooler_output; use pooling=auto, cls, mean or max.");
    }
    return requested.resolve(signature.hasPooler());
  }

  static void requireModelPath(boolean isDefined) {
    if (!isDefined) {
      throw new IllegalArgumentException("modelPath is not set: give a bundle directory (model.onnx + "
          + "tokenizer.json) or a built-in model name such as minilm.");
    }
  }

  static Configuration hadoopConf() {
    scala.Option<SparkSession> active = SparkSession.getActiveSession();
    if (active.isEmpty()) {
      active = SparkSession.getDefaultSession();
    }
    return active.isDefined() ? active.get().sparkContext().hadoopConfiguration() : new Configuration();
  }
}
