package org.kluespark.sql;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.analysis.TypeCheckResult;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Unevaluable;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenContext;
import org.apache.spark.sql.catalyst.expressions.codegen.ExprCode;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StringType;
import scala.collection.immutable.Seq;

/**
 * {@code klue_embed(text)} and {@code klue_embed_pair(a, b)} in a query plan. Never evaluated row by row: the
 * optimizer rule {@link ExtractKlueEmbeddings} replaces each call with the output column of a
 * {@link KlueEmbedEval} node below it, which runs whole windows of a partition through the model in batches
 * (as PySpark's pandas UDFs become {@code ArrowEvalPython} nodes). {@link Unevaluable} keeps the optimizer from
 * evaluating it early (e.g. folding it into a local relation).
 */
public final class KlueEmbedExpression extends CatalystNodes.ExpressionNode
    implements CaseClassNode, Unevaluable, Serializable {
  private static final long serialVersionUID = 1L;
  static final DataType RESULT_TYPE = DataTypes.createArrayType(DataTypes.FloatType, false);

  private final Seq<Expression> arguments;
  private final KlueSqlOptions options;

  /** One argument (text) or two (a pair); {@code options} may be {@link KlueSqlOptions#FROM_SESSION_CONF}. */
  public KlueEmbedExpression(Seq<Expression> arguments, KlueSqlOptions options) {
    if (arguments.size() != 1 && arguments.size() != 2) {
      throw new IllegalArgumentException("klue_embed takes one argument (text) and klue_embed_pair two (text, "
          + "pair), but got " + arguments.size());
    }
    this.arguments = arguments;
    this.options = Objects.requireNonNull(options, "options");
  }

  public boolean isPair() {
    return arguments.size() == 2;
  }

  public KlueSqlOptions options() {
    return options;
  }

  KlueEmbedExpression withOptions(KlueSqlOptions value) {
    return new KlueEmbedExpression(arguments, value);
  }

  @Override
  public String prettyName() {
    return isPair() ? KlueSqlFunctions.EMBED_PAIR : KlueSqlFunctions.EMBED;
  }

  @Override
  public Seq<Expression> children() {
    return arguments;
  }

  @Override
  protected Expression withChildren(List<Expression> newChildren) {
    return new KlueEmbedExpression(Seqs.from(newChildren), options);
  }

  @Override
  public DataType dataType() {
    return RESULT_TYPE;
  }

  @Override
  public boolean nullable() {
    return true;
  }

  @Override
  public boolean foldable() {
    return false; // a constant text still goes through the batched node, never through eval
  }

  @Override
  public TypeCheckResult checkInputDataTypes() {
    List<Expression> args = Seqs.toList(arguments);
    for (int i = 0; i < args.size(); i++) {
      DataType type = args.get(i).dataType();
      if (!(type instanceof StringType)) {
        return new TypeCheckResult.TypeCheckFailure(prettyName() + ": argument " + (i + 1) + " (" + args.get(i).sql()
            + ") must be a string but is " + type.simpleString() + "; cast it to string first.");
      }
    }
    return TypeCheckResult.TypeCheckSuccess$.MODULE$;
  }

  @Override
  public Object eval(InternalRow input) {
    throw new IllegalStateException(prettyName() + " can only run as a batched embedding over a partition; the "
        + "kluespark optimizer rule is missing from this session. Call KlueSqlFunctions.register(spark, ...) or "
        + "start the session with spark.sql.extensions=" + KlueSparkExtensions.class.getName());
  }

  @Override
  public ExprCode doGenCode(CodegenContext ctx, ExprCode ev) {
    throw new IllegalStateException(prettyName() + " has no generated code; it runs as a batched plan node");
  }

  @Override
  public String toString() {
    return prettyName() + arguments.mkString("(", ", ", ")");
  }

  // ---- Product (Catalyst copies and compares tree nodes through it) ----

  @Override
  public Object[] productFields() {
    return new Object[] {arguments, options};
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KlueEmbedExpression other && arguments.equals(other.arguments)
        && options.equals(other.options);
  }

  @Override
  public int hashCode() {
    return Objects.hash(arguments, options);
  }
}
