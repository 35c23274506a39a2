package org.kluespark.job;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kluespark.model.BundleManifest;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelSignature;
import org.kluespark.pooling.Pooling;
import org.kluespark.stage.TextEmbedder;

/**
 * The Delta table properties an incremental output keeps: what made its vectors. Rows added by a later run must
 * be comparable with the rows already there, so a run whose settings would give other vectors is refused.
 *
 * <p>Compared keys change vectors (or what a row means): the bundle's fingerprint (SHA-256 over model.onnx,
 * tokenizer.json and any external weights, {@link ModelBundle#fingerprint()}), the resolved pooling,
 * maxSeqLength, normalize, the text and pair columns, the instruction prefixes (another prefix is another
 * embedding of the same text), the output type, the hidden size and the id column.
 * Informational keys (the model's path or name, its precision, the kluespark version) are written but not
 * compared: the same files under another path embed the same way.
 */
record EmbeddingTableProperties(Map<String, String> compared, Map<String, String> informational) {
  static final String PREFIX = "kluespark.";
  static final String MODEL_SHA256 = "kluespark.model.sha256";
  static final String MODEL = "kluespark.model";
  static final String MODEL_PRECISION = "kluespark.model.precision";
  static final String VERSION = "kluespark.version";
  static final String POOLING = "kluespark.pooling";
  static final String MAX_SEQ_LENGTH = "kluespark.maxSeqLength";
  static final String NORMALIZE = "kluespark.normalize";
  static final String TEXT_COL = "kluespark.textCol";
  static final String PAIR_COL = "kluespark.pairCol";
  static final String TEXT_PREFIX = "kluespark.textPrefix";
  static final String PAIR_PREFIX = "kluespark.pairPrefix";
  static final String OUTPUT_TYPE = "kluespark.outputType";
  static final String HIDDEN_SIZE = "kluespark.hiddenSize";
  static final String ID_COL = "kluespark.idCol";

  private static final String NONE = "";

  EmbeddingTableProperties {
    compared = Collections.unmodifiableMap(new LinkedHashMap<>(compared)); // in order: the fingerprint first
    informational = Collections.unmodifiableMap(new LinkedHashMap<>(informational));
  }

  /** The properties of {@code embedder}'s model and settings (loads the model through the driver's cache). */
  static EmbeddingTableProperties of(TextEmbedder embedder, String idCol) {
    ModelBundle bundle = embedder.modelBundle();
    ModelSignature signature = embedder.modelSignature();
    Map<String, String> compared = new LinkedHashMap<>();
    compared.put(MODEL_SHA256, bundle.fingerprint());
    compared.put(POOLING, Pooling.fromParam(embedder.getPooling()).resolve(signature.hasPooler()).paramValue());
    compared.put(MAX_SEQ_LENGTH, Integer.toString(embedder.getMaxSeqLength()));
    compared.put(NORMALIZE, Boolean.toString(embedder.getNormalize()));
    compared.put(TEXT_COL, embedder.getInputCol());
    compared.put(PAIR_COL, embedder.getPairCol() == null ? NONE : embedder.getPairCol());
    // "" when none, which a table written before the prefixes existed also reads as (getOrDefault below).
    compared.put(TEXT_PREFIX, embedder.getTextPrefix());
    compared.put(PAIR_PREFIX, embedder.getPairPrefix());
    compared.put(OUTPUT_TYPE, embedder.getOutputType());
    compared.put(HIDDEN_SIZE, Integer.toString(signature.hiddenSize()));
    compared.put(ID_COL, idCol);
    Map<String, String> informational = new LinkedHashMap<>();
    informational.put(MODEL, embedder.getModelPath());
    informational.put(MODEL_PRECISION, bundle.precision().paramValue());
    informational.put(VERSION, BundleManifest.currentConverter());
    return new EmbeddingTableProperties(compared, informational);
  }

  /** Every property, for the table's creation. */
  Map<String, String> all() {
    Map<String, String> all = new LinkedHashMap<>(compared);
    all.putAll(informational);
    return all;
  }

  /**
   * Refuses to add rows to {@code target} when its properties say its vectors came from another model or other
   * settings; the message names each differing property with both values and says what to do.
   */
  void requireSameAs(Map<String, String> existing, String target) {
    if (!existing.containsKey(MODEL_SHA256)) {
      throw new IllegalArgumentException(target + " is a Delta table that kluespark --incremental did not write "
          + "(it has no table property " + MODEL_SHA256 + "), so its vectors cannot be checked against this run. "
          + "Write to a new output, or pass --mode overwrite to replace it.");
    }
    List<String> differences = new ArrayList<>();
    compared.forEach((key, value) -> {
      String theirs = existing.getOrDefault(key, NONE);
      if (!theirs.equals(value)) {
        differences.add(key + " is " + shown(key, theirs, existing) + " in the table but " + shown(key, value, all())
            + " in this run");
      }
    });
    if (!differences.isEmpty()) {
      throw new IllegalArgumentException(target + " was embedded with other settings: " + String.join("; ",
          differences) + ". Its vectors and this run's would not be comparable. Write to a new output, or pass "
          + "--mode overwrite to embed every input row again with this run's settings.");
    }
  }

  /**
   * A value as messages show it: "(none)" for an empty one, a prefix quoted (its trailing space matters), and the
   * model's name beside its fingerprint.
   */
  private static String shown(String key, String value, Map<String, String> properties) {
    boolean prefix = key.equals(TEXT_PREFIX) || key.equals(PAIR_PREFIX);
    String text = value.isEmpty() ? "(none)" : prefix ? "'" + value + "'" : value;
    if (key.equals(MODEL_SHA256) && properties.containsKey(MODEL)) {
      return text + " (" + MODEL + " " + properties.get(MODEL) + ")";
    }
    return text;
  }
}
