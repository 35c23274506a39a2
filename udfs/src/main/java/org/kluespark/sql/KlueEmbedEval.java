package org.kluespark.sql;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeSet;
import org.apache.spark.sql.catalyst.expressions.AttributeSet$;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.collection.immutable.Seq;

/**
 * Logical plan node: every row of {@code child}, in order, plus the column {@code result} holding
 * {@code call}'s embedding. Planned as {@link KlueEmbedExec} by {@link KlueEmbedStrategy}. The call's options
 * are resolved (never {@link KlueSqlOptions#FROM_SESSION_CONF}).
 */
public final class KlueEmbedEval extends CatalystNodes.LogicalNode implements CaseClassNode, Serializable {
  private static final long serialVersionUID = 1L;

  private final KlueEmbedExpression call;
  private final Attribute result;
  private final LogicalPlan child;

  public KlueEmbedEval(Expression call, Attribute result, LogicalPlan child) {
    this.call = (KlueEmbedExpression) call;
    this.result = result;
    this.child = child;
  }

  public KlueEmbedExpression call() {
    return call;
  }

  public Attribute result() {
    return result;
  }

  public LogicalPlan child() {
    return child;
  }

  @Override
  public Seq<Attribute> output() {
    List<Attribute> out = new ArrayList<>(Seqs.toList(child.output()));
    out.add(result);
    return Seqs.from(out);
  }

  @Override
  public AttributeSet producedAttributes() {
    return AttributeSet$.MODULE$.apply(result);
  }

  @Override
  public Seq<LogicalPlan> children() {
    return Seqs.of(child);
  }

  @Override
  protected LogicalPlan withChildren(List<LogicalPlan> newChildren) {
    return new KlueEmbedEval(call, result, newChildren.get(0));
  }

  @Override
  public Object[] productFields() {
    return new Object[] {call, result, child};
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KlueEmbedEval other && call.equals(other.call) && result.equals(other.result)
        && child.equals(other.child);
  }

  @Override
  public int hashCode() {
    return Objects.hash(call, result, child);
  }
}
