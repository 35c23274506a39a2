package org.kluespark.sql;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression$;
import org.apache.spark.sql.catalyst.expressions.aggregate.AggregateExpression;
import org.apache.spark.sql.catalyst.plans.logical.Aggregate;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.apache.spark.sql.types.Metadata;

/**
 * Optimizer rule: moves every {@code klue_embed}/{@code klue_embed_pair} call out of a SELECT list, a WHERE
 * condition or an aggregate's input into a {@link KlueEmbedEval} node just below, and refers to its output
 * column instead, as Spark's {@code ExtractPythonUDFs} does for Python UDFs. Identical calls of a node are
 * embedded once. The model of calls registered without one is read from {@code spark.kluespark.*} here, when
 * the query is planned. Calls anywhere else (join conditions, ORDER BY, window specifications, ...) are
 * refused with a message saying how to rewrite the query.
 */
public final class ExtractKlueEmbeddings extends Rule<LogicalPlan> {

  @Override
  public LogicalPlan apply(LogicalPlan plan) {
    List<LogicalPlan> children = Seqs.toList(plan.children());
    List<LogicalPlan> rewritten = new ArrayList<>(children.size());
    boolean changed = false;
    for (LogicalPlan child : children) {
      LogicalPlan next = apply(child);
      changed |= next != child;
      rewritten.add(next);
    }
    LogicalPlan node = changed ? plan.withNewChildren(Seqs.from(rewritten)) : plan;
    if (node instanceof KlueEmbedEval || !containsCall(node.expressions())) {
      return node;
    }
    if (node instanceof Project project) {
      return extractFromProject(project);
    }
    if (node instanceof Filter filter) {
      return extractFromFilter(filter);
    }
    if (node instanceof Aggregate aggregate) {
      return extractFromAggregate(aggregate);
    }
    throw new IllegalArgumentException(node.nodeName() + " contains " + firstCall(node.expressions()) + ", but the "
        + "kluespark embedding functions run only in SELECT lists, WHERE conditions and aggregate function "
        + "arguments. Embed in a subquery first, e.g. SELECT ... FROM (SELECT *, klue_embed(text) AS v FROM t) "
        + "and use v (join conditions: embed each side in its own subquery).");
  }

  private LogicalPlan extractFromProject(Project project) {
    Calls calls = new Calls();
    List<NamedExpression> projectList = new ArrayList<>();
    for (NamedExpression e : Seqs.toList(project.projectList())) {
      projectList.add((NamedExpression) calls.replace((Expression) e));
    }
    return new Project(Seqs.from(projectList), calls.evalOver(project.child()));
  }

  /** Filter(cond(klue_embed(x)), child) becomes Project(child's columns, Filter(cond(v), Eval(child))). */
  private LogicalPlan extractFromFilter(Filter filter) {
    Calls calls = new Calls();
    Expression condition = calls.replace(filter.condition());
    return new Project(castNamed(filter.child().output()), new Filter(condition, calls.evalOver(filter.child())));
  }

  private LogicalPlan extractFromAggregate(Aggregate aggregate) {
    Calls calls = new Calls();
    List<Expression> grouping = new ArrayList<>();
    for (Expression e : Seqs.toList(aggregate.groupingExpressions())) {
      grouping.add(calls.replace(e));
    }
    Map<Expression, AttributeReference> groupingCalls = new LinkedHashMap<>(calls.results);
    List<NamedExpression> aggregates = new ArrayList<>();
    for (NamedExpression e : Seqs.toList(aggregate.aggregateExpressions())) {
      requireGroupedOutsideAggregates((Expression) e, groupingCalls);
      aggregates.add((NamedExpression) calls.replace((Expression) e));
    }
    // makeCopy keeps any arguments after the child as they are (Spark 4.0's hint, which Spark 3.5 lacks)
    Object[] arguments = new Object[aggregate.productArity()];
    for (int i = 0; i < arguments.length; i++) {
      arguments[i] = aggregate.productElement(i);
    }
    arguments[0] = Seqs.from(grouping);
    arguments[1] = Seqs.from(aggregates);
    arguments[2] = calls.evalOver(aggregate.child());
    return aggregate.makeCopy(arguments);
  }

  /** A call outside an aggregate function is only per group when it is itself a GROUP BY expression. */
  private static void requireGroupedOutsideAggregates(Expression e, Map<Expression, AttributeReference> grouping) {
    if (e instanceof AggregateExpression) {
      return;
    }
    if (e instanceof KlueEmbedExpression call && !grouping.containsKey(call.canonicalized())) {
      throw new IllegalArgumentException(call + " is used per group but is not a GROUP BY expression; group by "
          + "it, wrap it in an aggregate function (first(...)), or embed in a subquery before aggregating.");
    }
    for (Expression child : Seqs.toList(e.children())) {
      requireGroupedOutsideAggregates(child, grouping);
    }
  }

  /** The distinct calls of one plan node and the columns their embeddings go to. */
  private final class Calls {
    private final Map<Expression, AttributeReference> results = new LinkedHashMap<>();
    private final Map<Expression, KlueEmbedExpression> calls = new LinkedHashMap<>();

    Expression replace(Expression e) {
      if (e instanceof KlueEmbedExpression call) {
        return results.computeIfAbsent(call.canonicalized(), key -> {
          calls.put(key, call);
          return new AttributeReference(call.prettyName(), call.dataType(), true, Metadata.empty(),
              NamedExpression$.MODULE$.newExprId(), Seqs.of());
        });
      }
      return e.mapChildren(this::replaceChild);
    }

    private Expression replaceChild(Expression child) {
      return replace(child);
    }

    /** One eval node per distinct call, stacked over {@code child}. */
    LogicalPlan evalOver(LogicalPlan child) {
      LogicalPlan plan = child;
      for (Map.Entry<Expression, KlueEmbedExpression> entry : calls.entrySet()) {
        KlueEmbedExpression call = entry.getValue();
        plan = new KlueEmbedEval(call.withOptions(call.options().resolve(conf())), results.get(entry.getKey()), plan);
      }
      return plan;
    }
  }

  private static scala.collection.immutable.Seq<NamedExpression> castNamed(scala.collection.Seq<Attribute> attributes) {
    return Seqs.from(new ArrayList<NamedExpression>(Seqs.toList(attributes)));
  }

  private static boolean containsCall(scala.collection.Seq<Expression> expressions) {
    return firstCall(expressions) != null;
  }

  private static KlueEmbedExpression firstCall(scala.collection.Seq<Expression> expressions) {
    for (Expression e : Seqs.toList(expressions)) {
      KlueEmbedExpression found = firstCall(e);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private static KlueEmbedExpression firstCall(Expression e) {
    if (e instanceof KlueEmbedExpression call) {
      return call;
    }
    for (Expression child : Seqs.toList(e.children())) {
      KlueEmbedExpression found = firstCall(child);
      if (found != null) {
        return found;
      }
    }
    return null;
  }
}
