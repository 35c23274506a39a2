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
 */
public record KlueSqlOptions(String model, int maxSeqLength, String pooling, boolean normalize, Integer batchSize)
    implements Serializable {
  public static final String PREFIX = "spark.kluespark.";
  public static final String MODEL = PREFIX + "model";
  public static final String MAX_SEQ_LENGTH = PREFIX + "maxSeqLength";
  public static final String POOLING = PREFIX + "pooling";
  public static final String NORMALIZE = PREFIX + "normalize";
  public static final String BATCH_SIZE = PREFIX + "batchSize";

  /** Marks functions that read the model from {@code spark.kluespark.*} when each query is planned. */
  public static final KlueSqlOptions FROM_SESSION_CONF = new KlueSqlOptions(null, 128, "auto", false, null);

  /** The stage's defaults for {@code model}. */
  public static KlueSqlOptions of(String model) {
    return new KlueSqlOptions(model, 128, "auto", false, null);
  }

  public boolean fromSessionConf() {
    return model == null;
  }

  public KlueSqlOptions withMaxSeqLength(int value) {
    return new KlueSqlOptions(model, value, pooling, normalize, batchSize);
  }

  public KlueSqlOptions withPooling(String value) {
    return new KlueSqlOptions(model, maxSeqLength, value, normalize, batchSize);
  }

  public KlueSqlOptions withNormalize(boolean value) {
    return new KlueSqlOptions(model, maxSeqLength, pooling, value, batchSize);
  }

  public KlueSqlOptions withBatchSize(int value) {
    return new KlueSqlOptions(model, maxSeqLength, pooling, normalize, value);
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
    String normalize = conf.apply(NORMALIZE);
    if (normalize != null && !normalize.equalsIgnoreCase("true") && !normalize.equalsIgnoreCase("false")) {
      throw new IllegalArgumentException(NORMALIZE + " must be true or false but is '" + normalize + "'");
    }
    String pooling = conf.apply(POOLING);
    String batchSize = conf.apply(BATCH_SIZE);
    return new KlueSqlOptions(model.trim(), intOrDefault(conf, MAX_SEQ_LENGTH, 128),
        pooling == null ? "auto" : pooling.trim().toLowerCase(Locale.ROOT), Boolean.parseBoolean(normalize),
        batchSize == null ? null : intOrDefault(conf, BATCH_SIZE, 32));
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
        .setPooling(pooling).setNormalize(normalize);
    if (batchSize != null) {
      embedder.setBatchSize(batchSize);
    }
    return embedder;
  }
}
