package org.kluespark.sql;

import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.SparkPlan;
import scala.Function1;
import scala.collection.IndexedSeq;
import scala.collection.Seq;

/**
 * Spark 3.5 / Scala 2.12 side of the Catalyst signatures that differ from the Spark 4.0 / Scala 2.13 build
 * ({@code src/main/spark-4.0/java} holds the twin; keep the two alike). Catalyst methods take Scala's
 * {@code Seq}/{@code IndexedSeq}, which are {@code scala.collection.immutable.*} on 2.13 and
 * {@code scala.collection.*} on 2.12; Java has no type alias, so the overrides and function types that name them
 * live only here, and the kluespark nodes implement Java-typed methods instead. Return types need no twin: an
 * immutable Seq fits both.
 */
public final class CatalystNodes {
  private CatalystNodes() {}

  /** A Catalyst expression that receives its new children as a Java list. */
  public abstract static class ExpressionNode extends Expression {
    private static final long serialVersionUID = 1L;

    @Override
    public final Expression withNewChildrenInternal(IndexedSeq<Expression> newChildren) {
      return withChildren(Seqs.toList(newChildren));
    }

    /** This expression with {@code children} in place of its own. */
    protected abstract Expression withChildren(List<Expression> children);
  }

  /** A logical plan node that receives its new children as a Java list. */
  public abstract static class LogicalNode extends LogicalPlan {
    private static final long serialVersionUID = 1L;

    @Override
    public final LogicalPlan withNewChildrenInternal(IndexedSeq<LogicalPlan> newChildren) {
      return withChildren(Seqs.toList(newChildren));
    }

    protected abstract LogicalPlan withChildren(List<LogicalPlan> children);
  }

  /** A physical plan node that receives its new children as a Java list. */
  public abstract static class PhysicalNode extends SparkPlan {
    private static final long serialVersionUID = 1L;

    @Override
    public final SparkPlan withNewChildrenInternal(IndexedSeq<SparkPlan> newChildren) {
      return withChildren(Seqs.toList(newChildren));
    }

    protected abstract SparkPlan withChildren(List<SparkPlan> children);
  }

  /** A SQL function builder (what the function registry and session extensions take). */
  static Function1<Seq<Expression>, Expression> functionBuilder(Function<List<Expression>, Expression> build) {
    return args -> build.apply(Seqs.toList(args));
  }
}
