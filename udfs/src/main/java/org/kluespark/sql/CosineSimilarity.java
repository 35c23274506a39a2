package org.kluespark.sql;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.analysis.TypeCheckResult;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenContext;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenFallback;
import org.apache.spark.sql.catalyst.expressions.codegen.ExprCode;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import scala.collection.immutable.Seq;

/**
 * {@code cosine_similarity(a, b)}: a double, computed in double precision, over two {@code array<float>},
 * {@code array<double>} or ML {@code Vector} values (the two sides may differ in type). Null when either side
 * is null, holds a null element, or has zero norm (the cosine is undefined); vectors of different lengths are
 * an error.
 */
public final class CosineSimilarity extends CatalystNodes.ExpressionNode
    implements CaseClassNode, CodegenFallback, Serializable {
  private static final long serialVersionUID = 1L;
  private static final VectorUDT VECTOR = new VectorUDT();

  private final Expression left;
  private final Expression right;

  public CosineSimilarity(Expression left, Expression right) {
    this.left = left;
    this.right = right;
  }

  @Override
  public String prettyName() {
    return KlueSqlFunctions.COSINE_SIMILARITY;
  }

  @Override
  public Seq<Expression> children() {
    return Seqs.of(left, right);
  }

  @Override
  protected Expression withChildren(List<Expression> newChildren) {
    return new CosineSimilarity(newChildren.get(0), newChildren.get(1));
  }

  @Override
  public DataType dataType() {
    return DataTypes.DoubleType;
  }

  @Override
  public boolean nullable() {
    return true;
  }

  @Override
  public TypeCheckResult checkInputDataTypes() {
    for (Expression side : new Expression[] {left, right}) {
      if (!isVectorType(side.dataType())) {
        return new TypeCheckResult.TypeCheckFailure(prettyName() + ": " + side.sql() + " is "
            + side.dataType().simpleString() + "; expected array<float>, array<double> or an ML Vector.");
      }
    }
    return TypeCheckResult.TypeCheckSuccess$.MODULE$;
  }

  private static boolean isVectorType(DataType type) {
    if (type instanceof ArrayType array) {
      return array.elementType() == DataTypes.FloatType || array.elementType() == DataTypes.DoubleType;
    }
    return SQLDataTypes.VectorType().sameType(type);
  }

  @Override
  public Object eval(InternalRow input) {
    double[] a = values(left.eval(input), left.dataType());
    if (a == null) {
      return null;
    }
    double[] b = values(right.eval(input), right.dataType());
    return b == null ? null : cosine(a, b);
  }

  /** The cosine of {@code a} and {@code b}, or null when either has zero norm. */
  static Double cosine(double[] a, double[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("cosine_similarity: the vectors have different lengths, " + a.length
          + " and " + b.length);
    }
    double dot = 0;
    double normA = 0;
    double normB = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      normA += a[i] * a[i];
      normB += b[i] * b[i];
    }
    if (normA == 0 || normB == 0) {
      return null;
    }
    return dot / Math.sqrt(normA * normB);
  }

  /** The value as doubles; null for null or an array with a null element. */
  private static double[] values(Object value, DataType type) {
    if (value == null) {
      return null;
    }
    if (type instanceof ArrayType array) {
      ArrayData data = (ArrayData) value;
      double[] out = new double[data.numElements()];
      for (int i = 0; i < out.length; i++) {
        if (data.isNullAt(i)) {
          return null;
        }
        out[i] = array.elementType() == DataTypes.FloatType ? data.getFloat(i) : data.getDouble(i);
      }
      return out;
    }
    Vector vector = VECTOR.deserialize(value);
    return vector.toArray();
  }

  @Override
  public ExprCode doGenCode(CodegenContext ctx, ExprCode ev) {
    return CodegenFallback.super.doGenCode(ctx, ev);
  }

  @Override
  public Object[] productFields() {
    return new Object[] {left, right};
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CosineSimilarity other && left.equals(other.left) && right.equals(other.right);
  }

  @Override
  public int hashCode() {
    return Objects.hash(left, right);
  }
}
