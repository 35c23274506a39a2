package org.kluespark.testing;

import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import scala.collection.JavaConverters;

/** Reads the stage's output columns out of collected rows as plain Java arrays. */
public final class TestRows {
  private TestRows() {}

  /** An {@code array<float>} or ml Vector cell; null for a null cell. */
  public static float[] vector(Row row, String column) {
    int i = row.fieldIndex(column);
    if (row.isNullAt(i)) {
      return null;
    }
    Object value = row.get(i);
    if (value instanceof Vector vector) {
      double[] values = vector.toArray();
      float[] out = new float[values.length];
      for (int d = 0; d < values.length; d++) {
        out[d] = (float) values[d];
      }
      return out;
    }
    return floats(row.<Float>getList(i));
  }

  /** An {@code array<array<float>>} cell as [tokens][hidden]; null for a null cell. */
  public static float[][] matrix(Row row, String column) {
    int i = row.fieldIndex(column);
    return row.isNullAt(i) ? null : matrix(row.getList(i));
  }

  /** An {@code array<array<array<float>>>} cell (encoder outputs) as [layers][tokens][hidden]; null for a null cell. */
  public static float[][][] layers(Row row, String column) {
    int i = row.fieldIndex(column);
    if (row.isNullAt(i)) {
      return null;
    }
    List<Object> outer = row.getList(i);
    float[][][] out = new float[outer.size()][][];
    for (int k = 0; k < out.length; k++) {
      out[k] = matrix(list(outer.get(k)));
    }
    return out;
  }

  private static float[][] matrix(List<Object> outer) {
    float[][] out = new float[outer.size()][];
    for (int t = 0; t < out.length; t++) {
      out[t] = floats(list(outer.get(t)));
    }
    return out;
  }

  /** Spark hands nested arrays back as Scala Seqs inside the Java List of the outer one. */
  @SuppressWarnings("unchecked")
  private static <T> List<T> list(Object value) {
    return value instanceof List<?> list ? (List<T>) list
        : JavaConverters.seqAsJavaList((scala.collection.Seq<T>) value);
  }

  private static float[] floats(List<Float> values) {
    float[] out = new float[values.size()];
    for (int d = 0; d < out.length; d++) {
      out[d] = values.get(d);
    }
    return out;
  }

  /** The largest absolute element-wise difference; fails on a shape mismatch. */
  public static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("length " + a.length + " != " + b.length);
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs((double) a[i] - b[i]));
    }
    return max;
  }

  public static double maxAbsDiff(float[][][] a, float[][][] b) {
    if (a.length != b.length) {
      throw new AssertionError("layers " + a.length + " != " + b.length);
    }
    double max = 0;
    for (int k = 0; k < a.length; k++) {
      max = Math.max(max, maxAbsDiff(a[k], b[k]));
    }
    return max;
  }

  public static double maxAbsDiff(float[][] a, float[][] b) {
    if (a.length != b.length) {
      throw new AssertionError("tokens " + a.length + " != " + b.length);
    }
    double max = 0;
    for (int t = 0; t < a.length; t++) {
      max = Math.max(max, maxAbsDiff(a[t], b[t]));
    }
    return max;
  }
}
