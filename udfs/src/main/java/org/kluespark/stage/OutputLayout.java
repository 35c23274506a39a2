package org.kluespark.stage;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.kluespark.embed.Embedding;
import org.kluespark.tokenize.TokenizedText;

/**
 * The columns the stage appends, in this order: pooled, sequence (optional), encoder outputs (optional),
 * tokens and offsets (optional), error (optional), and how an {@link Embedding} and its tokens become their
 * values.
 */
record OutputLayout(String pooledCol, String sequenceCol, String encoderOutputsCol, boolean vectorOutput,
    TokenColumns tokenColumns, String errorCol) implements Serializable {
  static final String ARRAY = "array";
  static final String VECTOR = "vector";

  static final DataType POOLED_ARRAY = DataTypes.createArrayType(DataTypes.FloatType, false);
  static final DataType SEQUENCE = DataTypes.createArrayType(POOLED_ARRAY, false);
  /** [layers][tokens][hidden]. */
  static final DataType ENCODER_OUTPUTS = DataTypes.createArrayType(SEQUENCE, false);

  boolean hasSequence() {
    return sequenceCol != null;
  }

  boolean hasEncoderOutputs() {
    return encoderOutputsCol != null;
  }

  boolean hasErrorCol() {
    return errorCol != null;
  }

  int width() {
    return 1 + (hasSequence() ? 1 : 0) + (hasEncoderOutputs() ? 1 : 0) + tokenColumns.width()
        + (hasErrorCol() ? 1 : 0);
  }

  DataType pooledType() {
    return vectorOutput ? SQLDataTypes.VectorType() : POOLED_ARRAY;
  }

  StructType appendTo(StructType schema) {
    StructType out = schema.add(new StructField(pooledCol, pooledType(), true, Metadata.empty()));
    if (hasSequence()) {
      out = out.add(new StructField(sequenceCol, SEQUENCE, true, Metadata.empty()));
    }
    if (hasEncoderOutputs()) {
      out = out.add(new StructField(encoderOutputsCol, ENCODER_OUTPUTS, true, Metadata.empty()));
    }
    out = tokenColumns.appendTo(out);
    if (hasErrorCol()) {
      out = out.add(new StructField(errorCol, DataTypes.StringType, true, Metadata.empty()));
    }
    return out;
  }

  /** An output column and the Param that names it, for messages. */
  record Column(String param, String name) {}

  /** The columns to append, in order. */
  List<Column> columns() {
    List<Column> columns = new ArrayList<>();
    columns.add(new Column("pooledOutputCol", pooledCol));
    if (hasSequence()) {
      columns.add(new Column("sequenceOutputCol", sequenceCol));
    }
    if (hasEncoderOutputs()) {
      columns.add(new Column("encoderOutputsCol", encoderOutputsCol));
    }
    tokenColumns.addColumns(columns);
    if (hasErrorCol()) {
      columns.add(new Column("errorCol", errorCol));
    }
    return columns;
  }

  /**
   * Writes this row's output values at {@code values[offset...]}: nulls for a null embedding, and the reason
   * the row failed (null when it did not) in the error column.
   */
  void fill(Object[] values, int offset, Embedding embedding, TokenizedText tokens, String error) {
    if (hasErrorCol()) {
      values[offset + width() - 1] = error;
    }
    if (embedding == null) {
      return;
    }
    tokenColumns.fill(values, offset + width() - (hasErrorCol() ? 1 : 0) - tokenColumns.width(), tokens);
    int column = offset;
    values[column++] = vectorOutput ? Vectors.dense(toDoubles(embedding.pooled())) : embedding.pooled();
    if (hasSequence()) {
      values[column++] = embedding.sequence();
    }
    if (hasEncoderOutputs()) {
      values[column] = embedding.layers();
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
