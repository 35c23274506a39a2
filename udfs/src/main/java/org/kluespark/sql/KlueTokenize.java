package org.kluespark.sql;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.analysis.TypeCheckResult;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenContext;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenFallback;
import org.apache.spark.sql.catalyst.expressions.codegen.ExprCode;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.unsafe.types.UTF8String;
import org.kluespark.stage.PartitionEmbedder;
import scala.collection.immutable.Seq;

/**
 * {@code klue_tokenize(text)}: the model's tokens of {@code text} as {@code array<string>}, exactly what
 * {@code klue_embed} feeds the model ({@code [CLS]} and {@code [SEP]} included, the text prefix's tokens too,
 * truncated to maxSeqLength); null
 * for a null text. Row by row: tokenizing gains nothing from batches. Uses the executor's shared tokenizer.
 */
public final class KlueTokenize extends CatalystNodes.ExpressionNode
    implements CaseClassNode, CodegenFallback, Serializable {
  private static final long serialVersionUID = 1L;
  static final DataType RESULT_TYPE = DataTypes.createArrayType(DataTypes.StringType, false);

  private final Expression text;
  private final KlueSqlOptions options;
  private final PartitionEmbedder model; // carries the broadcast bundle to executors

  public KlueTokenize(Expression text, KlueSqlOptions options, PartitionEmbedder model) {
    this.text = text;
    this.options = options;
    this.model = model;
  }

  @Override
  public String prettyName() {
    return KlueSqlFunctions.TOKENIZE;
  }

  @Override
  public Seq<Expression> children() {
    return Seqs.of(text);
  }

  @Override
  protected Expression withChildren(List<Expression> newChildren) {
    return new KlueTokenize(newChildren.get(0), options, model);
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
  public TypeCheckResult checkInputDataTypes() {
    if (!(text.dataType() instanceof StringType)) {
      return new TypeCheckResult.TypeCheckFailure(prettyName() + ": " + text.sql() + " must be a string but is "
          + text.dataType().simpleString() + "; cast it to string first.");
    }
    return TypeCheckResult.TypeCheckSuccess$.MODULE$;
  }

  @Override
  public Object eval(InternalRow input) {
    Object value = text.eval(input);
    if (value == null) {
      return null;
    }
    String[] tokens = model.tokens(value.toString());
    Object[] out = new Object[tokens.length];
    for (int i = 0; i < tokens.length; i++) {
      out[i] = UTF8String.fromString(tokens[i]);
    }
    return new GenericArrayData(out);
  }

  @Override
  public ExprCode doGenCode(CodegenContext ctx, ExprCode ev) {
    return CodegenFallback.super.doGenCode(ctx, ev);
  }

  @Override
  public String toString() {
    return prettyName() + "(" + text + ")";
  }

  @Override
  public Seq<Object> otherCopyArgs() {
    return Seqs.of(model);
  }

  @Override
  public Object[] productFields() {
    return new Object[] {text, options};
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KlueTokenize other && text.equals(other.text) && options.equals(other.options);
  }

  @Override
  public int hashCode() {
    return Objects.hash(text, options);
  }
}
