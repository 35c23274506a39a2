package org.kluespark.sql;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.SortOrder;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.catalyst.plans.physical.Partitioning;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.types.DataType;
import org.kluespark.embed.Embedding;
import org.kluespark.embed.MappingIterator;
import org.kluespark.embed.TextInput;
import org.kluespark.stage.PartitionEmbedder;
import scala.collection.immutable.Seq;

/**
 * Physical plan node of {@link KlueEmbedEval}: streams each partition of {@code child} through a
 * {@link PartitionEmbedder} (the same windowed, length-sorted batching as the {@code TextEmbedder} stage, on
 * the executor's one shared session) and appends the embedding to each row. One output row per input row,
 * in input order, so the child's partitioning and ordering hold for the output too.
 */
public final class KlueEmbedExec extends CatalystNodes.PhysicalNode implements CaseClassNode {
  private static final long serialVersionUID = 1L;

  private final KlueEmbedExpression call;
  private final Attribute result;
  private final SparkPlan child;
  private final PartitionEmbedder embedder;

  public KlueEmbedExec(Expression call, Attribute result, SparkPlan child, PartitionEmbedder embedder) {
    this.call = (KlueEmbedExpression) call;
    this.result = result;
    this.child = child;
    this.embedder = embedder;
  }

  /** The embedder, with the counters ({@code kluespark.batches}, ...) this node's tasks add to. */
  public PartitionEmbedder embedder() {
    return embedder;
  }

  @Override
  public RDD<InternalRow> doExecute() {
    Seq<Expression> arguments = call.children();
    var childOutput = child.output(); // an immutable Seq on Scala 2.13, as UnsafeProjection.create takes it there
    List<Attribute> out = Seqs.toList(output());
    DataType[] outputTypes = new DataType[out.size()];
    for (int i = 0; i < outputTypes.length; i++) {
      outputTypes[i] = out.get(i).dataType();
    }
    boolean pair = call.isPair();
    PartitionEmbedder partitionEmbedder = embedder;
    FlatMapFunction<Iterator<InternalRow>, InternalRow> embedPartition = rows -> {
      UnsafeProjection texts = UnsafeProjection.create(arguments, childOutput);
      UnsafeProjection toUnsafe = UnsafeProjection.create(outputTypes);
      JoinedRow joined = new JoinedRow();
      GenericInternalRow embedding = new GenericInternalRow(1);
      // Held for a window: the child may reuse row objects.
      Iterator<InternalRow> copies = MappingIterator.map(rows, InternalRow::copy);
      return partitionEmbedder.embed(copies, row -> textInput(texts.apply(row), pair), (row, rowEmbedding) -> {
        embedding.update(0, pooled(rowEmbedding));
        return toUnsafe.apply(joined.apply(row, embedding)).copy();
      });
    };
    return child.execute().toJavaRDD().mapPartitions(embedPartition).rdd();
  }

  private static TextInput textInput(UnsafeRow texts, boolean pair) {
    String text = texts.isNullAt(0) ? null : texts.getUTF8String(0).toString();
    if (!pair) {
      return TextInput.of(text);
    }
    return TextInput.ofPair(text, texts.isNullAt(1) ? null : texts.getUTF8String(1).toString());
  }

  private static UnsafeArrayData pooled(Embedding embedding) {
    return embedding == null ? null : UnsafeArrayData.fromPrimitiveArray(embedding.pooled());
  }

  @Override
  public Seq<Attribute> output() {
    List<Attribute> out = new ArrayList<>(Seqs.toList(child.output()));
    out.add(result);
    return Seqs.from(out);
  }

  @Override
  public Partitioning outputPartitioning() {
    return child.outputPartitioning();
  }

  @Override
  public Seq<SortOrder> outputOrdering() {
    return Seqs.from(Seqs.toList(child.outputOrdering())); // Scala 2.12 (Spark 3.5) returns a collection.Seq
  }

  @Override
  public Seq<SparkPlan> children() {
    return Seqs.of(child);
  }

  @Override
  protected SparkPlan withChildren(List<SparkPlan> newChildren) {
    return new KlueEmbedExec(call, result, newChildren.get(0), embedder);
  }

  @Override
  public Seq<Object> otherCopyArgs() {
    return Seqs.of(embedder);
  }

  @Override
  public Object[] productFields() {
    return new Object[] {call, result, child};
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KlueEmbedExec other && call.equals(other.call) && result.equals(other.result)
        && child.equals(other.child) && embedder == other.embedder;
  }

  @Override
  public int hashCode() {
    return Objects.hash(call, result, child);
  }
}
