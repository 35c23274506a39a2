package org.kluespark.sql;

import java.io.Serializable;
import java.util.Locale;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.internal.SQLConf;
import org.kluespark.stage.TextEmbedder;

/**
 * The model and settings of the SQL functions. Fixed by {@link KlueSqlFunctions#register(org.apache.spark.sql.SparkSession,
 * KlueSqlOptions)}, or read from the session's {@code spark.kluespark.*} configuration when a query is planned
 * ({@link #FROM_SESSION_CONF}), so {@code SET spark.kluespark.model=...} switches models between queries.
 *
 * @param model bundle directory on any Hadoop FileSystem, or a built-in name ({@code minilm}); null only in
 *     {@link #FROM_SESSION_CONF}
 * @param maxSeqLength tokens per row at most, special tokens included
 * @param pooling {@code auto}, {@code pooler}, {@code cls}, {@code mean} or {@code max}
 * @param normalize whether vectors are scaled to unit L2 norm
 * @param batchSize rows per ONNX Runtime call at most, or null for the stage's default (32 on CPU, 128 on a GPU)
 * @param reuseDuplicates whether rows of a window with the same text (and pair text) are embedded once and the
 *     vector copied (the stage's {@code reuseDuplicates}; {@code spark.kluespark.reuseDuplicates}, default true)
 * @param textPrefix the instruction put before every text of {@code klue_embed}, {@code klue_tokenize} and the
 *     first text of {@code klue_embed_pair} (the stage's {@code textPrefix}; {@code spark.kluespark.textPrefix},
 *     default none), e.g. {@code "query: "}
 * @param pairPrefix the instruction put before the second text of {@code klue_embed_pair} only (the stage's
 *     {@code pairPrefix}; {@code spark.kluespark.pairPrefix}, default none)
 */
public record KlueSqlOptions(String model, int maxSeqLength, String pooling, boolean normalize, Integer batchSize,
    boolean reuseDuplicates, String textPrefix, String pairPrefix) implements Serializable {
  public static final String PREFIX = "spark.kluespark.";
  public static final String MODEL = PREFIX + "model";
  public static final String MAX_SEQ_LENGTH = PREFIX + "maxSeqLength";
  public static final String POOLING = PREFIX + "pooling";
  public static final String NORMALIZE = PREFIX + "normalize";
  public static final String BATCH_SIZE = PREFIX + "batchSize";
  public static final String REUSE_DUPLICATES = PREFIX + "reuseDuplicates";
  public static final String TEXT_PREFIX = PREFIX + "textPrefix";
  public static final String PAIR_PREFIX = PREFIX + "pairPrefix";

  /** Marks functions that read the model from {@code spark.kluespark.*} when each query is planned. */
  public static final KlueSqlOptions FROM_SESSION_CONF = new KlueSqlOptions(null, 128, "auto", false, null);

  public KlueSqlOptions {
    textPrefix = textPrefix == null ? "" : textPrefix;
    pairPrefix = pairPrefix == null ? "" : pairPrefix;
  }

  /** No instruction prefixes (the default). */
  public KlueSqlOptions(String model, int maxSeqLength, String pooling, boolean normalize, Integer batchSize,
      boolean reuseDuplicates) {
    this(model, maxSeqLength, pooling, normalize, batchSize, reuseDuplicates, "", "");
  }

  /** Duplicates reused (the default). */
  public KlueSqlOptions(String model, int maxSeqLength, String pooling, boolean normalize, Integer batchSize) {
    this(model, maxSeqLength, pooling, normalize, batchSize, true);
  }

  /** The stage's defaults for {@code model}. */
  public static KlueSqlOptions of(String model) {
    return new KlueSqlOptions(model, 128, "auto", false, null);
  }

  public boolean fromSessionConf() {
    return model == null;
  }

  public KlueSqlOptions withMaxSeqLength(int value) {
    return new KlueSqlOptions(model, value, pooling, normalize, batchSize, reuseDuplicates, textPrefix, pairPrefix);
  }

  public KlueSqlOptions withPooling(String value) {
    return new KlueSqlOptions(model, maxSeqLength, value, normalize, batchSize, reuseDuplicates, textPrefix,
        pairPrefix);
  }

  public KlueSqlOptions withNormalize(boolean value) {
    return new KlueSqlOptions(model, maxSeqLength, pooling, value, batchSize, reuseDuplicates, textPrefix, pairPrefix);
  }

  public KlueSqlOptions withBatchSize(int value) {
    return new KlueSqlOptions(model, maxSeqLength, pooling, normalize, value, reuseDuplicates, textPrefix, pairPrefix);
  }

  public KlueSqlOptions withReuseDuplicates(boolean value) {
    return new KlueSqlOptions(model, maxSeqLength, pooling, normalize, batchSize, value, textPrefix, pairPrefix);
  }

  /** These options with {@code text} before every first text and {@code pair} before every second one. */
  public KlueSqlOptions withPrefixes(String text, String pair) {
    return new KlueSqlOptions(model, maxSeqLength, pooling, normalize, batchSize, reuseDuplicates, text, pair);
  }

  /** These options, or the session's {@code spark.kluespark.*} settings for {@link #FROM_SESSION_CONF}. */
  KlueSqlOptions resolve(SQLConf conf) {
    return fromSessionConf() ? fromConf(key -> conf.getConfString(key, null)) : this;
  }

  /** Reads {@code spark.kluespark.*}; {@code conf} returns null for unset keys. */
  static KlueSqlOptions fromConf(UnaryOperator<String> conf) {
    String model = conf.apply(MODEL);
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("The kluespark SQL functions have no model: set " + MODEL + " (a bundle "
          + "directory or minilm), e.g. SET " + MODEL + "=s3a://models/klue-bert-base, or register them with "
          + "KlueSqlFunctions.register(spark, modelPath).");
    }
    String pooling = conf.apply(POOLING);
    String batchSize = conf.apply(BATCH_SIZE);
    return new KlueSqlOptions(model.trim(), intOrDefault(conf, MAX_SEQ_LENGTH, 128),
        pooling == null ? "auto" : pooling.trim().toLowerCase(Locale.ROOT), booleanOrDefault(conf, NORMALIZE, false),
        batchSize == null ? null : intOrDefault(conf, BATCH_SIZE, 32), booleanOrDefault(conf, REUSE_DUPLICATES, true),
        conf.apply(TEXT_PREFIX), conf.apply(PAIR_PREFIX)); // not trimmed: "query: " ends in a space
  }

  private static boolean booleanOrDefault(UnaryOperator<String> conf, String key, boolean defaultValue) {
    String value = conf.apply(key);
    if (value == null) {
      return defaultValue;
    }
    if (!value.trim().equalsIgnoreCase("true") && !value.trim().equalsIgnoreCase("false")) {
      throw new IllegalArgumentException(key + " must be true or false but is '" + value + "'");
    }
    return Boolean.parseBoolean(value.trim());
  }

  private static int intOrDefault(UnaryOperator<String> conf, String key, int defaultValue) {
    String value = conf.apply(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be an integer but is '" + value + "'", e);
    }
  }

  /** A stage configured like these options (its Params validate them and load the model). */
  TextEmbedder toEmbedder() {
    if (fromSessionConf()) {
      throw new IllegalStateException("Resolve the session's options first");
    }
    TextEmbedder embedder = new TextEmbedder().setModelPath(model).setMaxSeqLength(maxSeqLength)
        .setPooling(pooling).setNormalize(normalize).setReuseDuplicates(reuseDuplicates).setTextPrefix(textPrefix)
        .setPairPrefix(pairPrefix);
    if (batchSize != null) {
      embedder.setBatchSize(batchSize);
    }
    return embedder;
  }
}
