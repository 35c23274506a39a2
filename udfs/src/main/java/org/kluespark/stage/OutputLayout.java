package org.kluespark.stage;

import java.io.Serializable;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.kluespark.embed.Embedding;

/** The columns the stage appends and how an {@link Embedding} becomes their values. */
record OutputLayout(String pooledCol, String sequenceCol, boolean vectorOutput) implements Serializable {
  static final String ARRAY = "array";
  static final String VECTOR = "vector";

  static final DataType POOLED_ARRAY = DataTypes.createArrayType(DataTypes.FloatType, false);
  static final DataType SEQUENCE = DataTypes.createArrayType(
      DataTypes.createArrayType(DataTypes.FloatType, false), false);

  boolean hasSequence() {
    return sequenceCol != null;
  }

  int width() {
    return hasSequence() ? 2 : 1;
  }

  DataType pooledType() {
    return vectorOutput ? SQLDataTypes.VectorType() : POOLED_ARRAY;
  }

  StructType appendTo(StructType schema) {
    StructType out = schema.add(new StructField(pooledCol, pooledType(), true, Metadata.empty()));
    return hasSequence() ? out.add(new StructField(sequenceCol, SEQUENCE, true, Metadata.empty())) : out;
  }

  /** Writes this row's output values at {@code values[offset...]}; nulls for a null embedding. */
  void fill(Object[] values, int offset, Embedding embedding) {
    if (embedding == null) {
      return;
    }
    values[offset] = vectorOutput ? Vectors.dense(toDoubles(embedding.pooled())) : embedding.pooled();
    if (hasSequence()) {
      values[offset + 1] = embedding.sequence();
    }
  }

  private static double[] toDoubles(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  static boolean isArrayType(DataType type) {
    return type instanceof ArrayType;
  }
}
