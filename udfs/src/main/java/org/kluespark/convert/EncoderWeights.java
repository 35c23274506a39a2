package org.kluespark.convert;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kluespark.checkpoint.WeightTensor;

/**
 * The weights of a BERT/RoBERTa encoder under canonical HF names, checked against the config.
 *
 * <p>Canonical names are those of HF's {@code BertModel}/{@code RobertaModel} without a task prefix:
 * {@code embeddings.word_embeddings.weight}, {@code encoder.layer.3.attention.self.query.weight},
 * {@code pooler.dense.bias}, and ELECTRA's {@code embeddings_project.weight} ... Checkpoints saved from task
 * models carry a {@code bert.}/{@code roberta.}/{@code electra.} prefix and old TF-converted ones say {@code gamma}/{@code beta} for LayerNorm; both are normalised
 * here. Weights of task heads ({@code classifier.*}, {@code cls.*}, {@code lm_head.*},
 * ELECTRA's {@code discriminator_predictions.*}) are ignored.
 */
public final class EncoderWeights {
  /** ELECTRA's Linear(embedding_size → hidden_size) between the embeddings and the first layer. */
  public static final String EMBEDDINGS_PROJECT = "embeddings_project";

  private final EncoderConfig config;
  private final Map<String, WeightTensor> byName;

  private EncoderWeights(EncoderConfig config, Map<String, WeightTensor> byName) {
    this.config = config;
    this.byName = byName;
  }

  /** Normalises names, checks that every encoder weight is present with the shape the config implies. */
  public static EncoderWeights of(EncoderConfig config, Map<String, WeightTensor> checkpoint, String source) {
    Map<String, WeightTensor> canonical = new LinkedHashMap<>();
    String prefix = config.family().weightPrefix();
    for (WeightTensor tensor : checkpoint.values()) {
      String name = canonicalName(tensor.name(), prefix);
      if (name != null) {
        canonical.put(name, new WeightTensor(name, tensor.shape(), tensor.values()));
      }
    }
    EncoderWeights weights = new EncoderWeights(config, canonical);
    weights.checkShapes(source);
    return weights;
  }

  public EncoderConfig config() {
    return config;
  }

  /** Whether the checkpoint has BERT's pooler (a dense + tanh over [CLS]); sentence-transformers copies often do not. */
  public boolean hasPooler() {
    return config.family().canHavePooler()
        && byName.containsKey("pooler.dense.weight") && byName.containsKey("pooler.dense.bias");
  }

  /** The weight under its canonical name; an error naming it when absent. */
  public WeightTensor get(String canonicalName) {
    WeightTensor tensor = byName.get(canonicalName);
    if (tensor == null) {
      throw new ConversionException("The checkpoint has no weight \"" + canonicalName + "\".");
    }
    return tensor;
  }

  /** {@code encoder.layer.<layer>.<suffix>}. */
  public WeightTensor layer(int layer, String suffix) {
    return get(layerName(layer, suffix));
  }

  public static String layerName(int layer, String suffix) {
    return "encoder.layer." + layer + "." + suffix;
  }

  /** All canonical encoder weight names with their expected shapes, in a stable order. */
  public static Map<String, long[]> expectedShapes(EncoderConfig c, boolean withPooler) {
    long h = c.hiddenSize();
    long e = c.embeddingSize();
    long i = c.intermediateSize();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    shapes.put("embeddings.word_embeddings.weight", new long[] {c.vocabSize(), e});
    shapes.put("embeddings.position_embeddings.weight", new long[] {c.maxPositionEmbeddings(), e});
    shapes.put("embeddings.token_type_embeddings.weight", new long[] {c.typeVocabSize(), e});
    shapes.put("embeddings.LayerNorm.weight", new long[] {e});
    shapes.put("embeddings.LayerNorm.bias", new long[] {e});
    if (c.hasEmbeddingProjection()) {
      shapes.put(EMBEDDINGS_PROJECT + ".weight", new long[] {h, e});
      shapes.put(EMBEDDINGS_PROJECT + ".bias", new long[] {h});
    }
    for (int layer = 0; layer < c.numLayers(); layer++) {
      for (String projection : List.of("attention.self.query", "attention.self.key", "attention.self.value",
          "attention.output.dense")) {
        shapes.put(layerName(layer, projection + ".weight"), new long[] {h, h});
        shapes.put(layerName(layer, projection + ".bias"), new long[] {h});
      }
      shapes.put(layerName(layer, "attention.output.LayerNorm.weight"), new long[] {h});
      shapes.put(layerName(layer, "attention.output.LayerNorm.bias"), new long[] {h});
      shapes.put(layerName(layer, "intermediate.dense.weight"), new long[] {i, h});
      shapes.put(layerName(layer, "intermediate.dense.bias"), new long[] {i});
      shapes.put(layerName(layer, "output.dense.weight"), new long[] {h, i});
      shapes.put(layerName(layer, "output.dense.bias"), new long[] {h});
      shapes.put(layerName(layer, "output.LayerNorm.weight"), new long[] {h});
      shapes.put(layerName(layer, "output.LayerNorm.bias"), new long[] {h});
    }
    if (withPooler) {
      shapes.put("pooler.dense.weight", new long[] {h, h});
      shapes.put("pooler.dense.bias", new long[] {h});
    }
    return shapes;
  }

  private void checkShapes(String source) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, long[]> expected : expectedShapes(config, hasPooler()).entrySet()) {
      WeightTensor tensor = byName.get(expected.getKey());
      if (tensor == null) {
        problems.add("missing " + expected.getKey());
      } else if (!Arrays.equals(tensor.shape(), expected.getValue())) {
        problems.add(expected.getKey() + " has shape " + Arrays.toString(tensor.shape()) + ", config.json implies "
            + Arrays.toString(expected.getValue()));
      }
    }
    if (!problems.isEmpty()) {
      int shown = Math.min(problems.size(), 8);
      throw new ConversionException("The weights in " + source + " do not match its config.json ("
          + problems.size() + " problem(s)): " + String.join("; ", problems.subList(0, shown))
          + (problems.size() > shown ? "; ..." : "")
          + ". Check that config.json belongs to these weights and that model_type is right.");
    }
  }

  /** The canonical name of a checkpoint weight, or null for weights outside the encoder (task heads). */
  static String canonicalName(String name, String familyPrefix) {
    String n = name;
    if (n.startsWith(familyPrefix)) {
      n = n.substring(familyPrefix.length());
    }
    if (!(n.startsWith("embeddings.") || n.startsWith("encoder.") || n.startsWith("pooler.")
        || n.startsWith(EMBEDDINGS_PROJECT + "."))) {
      return null;
    }
    if (n.endsWith(".gamma")) {
      n = n.substring(0, n.length() - ".gamma".length()) + ".weight";
    } else if (n.endsWith(".beta")) {
      n = n.substring(0, n.length() - ".beta".length()) + ".bias";
    }
    if (n.equals("embeddings.position_ids") || n.endsWith(".position_ids")) {
      return null; // a registered buffer, not a weight
    }
    return n;
  }
}
