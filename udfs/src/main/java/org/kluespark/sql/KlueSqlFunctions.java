package org.kluespark.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.ExperimentalMethods;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSession$;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.FunctionIdentifier$;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.apache.spark.sql.execution.SparkStrategy;
import org.apache.spark.sql.internal.SQLConf;

/**
 * The kluespark Spark SQL functions, for SQL, Java/Scala and PySpark ({@code spark.sql(...)}):
 *
 * <ul>
 *   <li>{@code klue_embed(text)} → {@code array<float>}: the pooled embedding, as the TextEmbedder stage's
 *       {@code pooled_output}; null for a null text.
 *   <li>{@code klue_embed_pair(a, b)} → {@code array<float>}: a text pair, {@code [CLS] a [SEP] b [SEP]};
 *       null when either is null.
 *   <li>{@code klue_tokenize(text)} → {@code array<string>}: the tokens the model sees.
 *   <li>{@code cosine_similarity(a, b)} → {@code double}: over arrays of float/double or ML Vectors.
 * </ul>
 *
 * <p>The embedding functions are batched: an optimizer rule moves them into a plan node that streams each
 * partition through the executor's one shared ONNX Runtime session in windows of length-sorted batches,
 * exactly like the stage. Register them in a running session with {@link #register(SparkSession, String)},
 * or for every session with {@code spark.sql.extensions=org.kluespark.sql.KlueSparkExtensions} (then the
 * model comes from {@code spark.kluespark.model}).
 */
public final class KlueSqlFunctions {
  public static final String EMBED = "klue_embed";
  public static final String EMBED_PAIR = "klue_embed_pair";
  public static final String TOKENIZE = "klue_tokenize";
  public static final String COSINE_SIMILARITY = "cosine_similarity";

  private KlueSqlFunctions() {}

  /** A function's name, its {@code DESCRIBE FUNCTION} text and how its expression is built. */
  record Definition(FunctionIdentifier id, ExpressionInfo info, Function<List<Expression>, Expression> builder) {}

  /** Registers the functions; they read their model from {@code spark.kluespark.*} when a query is planned. */
  public static void register(SparkSession spark) {
    register(spark, KlueSqlOptions.FROM_SESSION_CONF);
  }

  /** Registers the functions with this model (a bundle directory or {@code minilm}) and the stage's defaults. */
  public static void register(SparkSession spark, String modelPath) {
    register(spark, KlueSqlOptions.of(modelPath));
  }

  /**
   * Registers the functions in {@code spark} (replacing earlier registrations) and adds the batching rule and
   * planner strategy to the session once. A given model is read and validated now, so a wrong path fails here.
   */
  public static synchronized void register(SparkSession spark, KlueSqlOptions options) {
    if (!options.fromSessionConf()) {
      options.toEmbedder().modelSignature();
    }
    for (Definition definition : definitions(options)) {
      ClassicSession.state(spark).functionRegistry().registerFunction(definition.id(), definition.info(),
          CatalystNodes.functionBuilder(definition.builder()));
    }
    ExperimentalMethods experimental = ClassicSession.experimental(spark);
    List<Rule<LogicalPlan>> rules = new ArrayList<>(Seqs.toList(experimental.extraOptimizations()));
    if (rules.stream().noneMatch(ExtractKlueEmbeddings.class::isInstance)) {
      rules.add(new ExtractKlueEmbeddings());
      experimental.extraOptimizations_$eq(Seqs.from(rules));
    }
    List<SparkStrategy> strategies = new ArrayList<>(Seqs.toList(experimental.extraStrategies()));
    if (strategies.stream().noneMatch(KlueEmbedStrategy.class::isInstance)) {
      strategies.add(new KlueEmbedStrategy(spark));
      experimental.extraStrategies_$eq(Seqs.from(strategies));
    }
  }

  static List<Definition> definitions(KlueSqlOptions options) {
    return List.of(
        definition(EMBED, KlueEmbedExpression.class, "_FUNC_(text) - the text's pooled embedding (array<float>) "
            + "from the kluespark model; null for a null text. Batched per partition.", 1,
            args -> new KlueEmbedExpression(Seqs.from(args), options)),
        definition(EMBED_PAIR, KlueEmbedExpression.class, "_FUNC_(text, pair) - the pooled embedding of a text "
            + "pair ([CLS] text [SEP] pair [SEP]); null when either is null. Batched per partition.", 2,
            args -> new KlueEmbedExpression(Seqs.from(args), options)),
        definition(TOKENIZE, KlueTokenize.class, "_FUNC_(text) - the model's tokens of text (array<string>), "
            + "special tokens included, truncated to maxSeqLength.", 1,
            args -> tokenize(args.get(0), options)),
        definition(COSINE_SIMILARITY, CosineSimilarity.class, "_FUNC_(a, b) - cosine similarity (double) of two "
            + "array<float>, array<double> or ML Vector values; null if either is null or has zero norm.", 2,
            args -> new CosineSimilarity(args.get(0), args.get(1))));
  }

  private static Definition definition(String name, Class<?> implementation, String usage, int arity,
      Function<List<Expression>, Expression> builder) {
    Function<List<Expression>, Expression> checked = args -> {
      if (args.size() != arity) {
        throw new IllegalArgumentException(name + " takes " + arity + " argument" + (arity == 1 ? "" : "s")
            + " but got " + args.size() + (name.equals(EMBED) && args.size() == 2 ? "; for text pairs use "
            + EMBED_PAIR + "(text, pair)" : ""));
      }
      return builder.apply(args);
    };
    return new Definition(FunctionIdentifier$.MODULE$.apply(name),
        new ExpressionInfo(implementation.getName(), null, name, usage, ""), checked);
  }

  /** The tokenizer ships with the expression, so its model is fixed when the query is analysed. */
  private static Expression tokenize(Expression text, KlueSqlOptions options) {
    KlueSqlOptions resolved = options.resolve(SQLConf.get());
    SparkSession spark = SparkSession$.MODULE$.active();
    return new KlueTokenize(text, resolved, resolved.toEmbedder().partitionEmbedder(spark.sparkContext()));
  }
}
