package org.kluespark.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Locale;
import java.util.Set;

/**
 * Every dimension of a BERT/RoBERTa encoder, read from a HuggingFace {@code config.json}. Nothing is
 * assumed: sizes come from the file, and a field the conversion needs but the file lacks is an error
 * naming it.
 *
 * @param padTokenId RoBERTa numbers real positions from {@code padTokenId + 1}
 * @param embeddingSize the width of the embedding tables and their LayerNorm: ELECTRA's
 *     {@code embedding_size}, projected to {@code hiddenSize} when it differs; every other family's equals
 *     {@code hiddenSize}
 */
public record EncoderConfig(EncoderFamily family, int vocabSize, int hiddenSize, int numLayers,
    int numHeads, int intermediateSize, String hiddenAct, int maxPositionEmbeddings, int typeVocabSize,
    double layerNormEps, int padTokenId, int embeddingSize) {

  /**
   * HF {@code ElectraConfig}'s default {@code embedding_size}, which HF uses when config.json has none (real
   * ELECTRA configs always name it).
   */
  public static final int ELECTRA_DEFAULT_EMBEDDING_SIZE = 128;

  /** A config whose embeddings are as wide as the hidden states (every family but a projected ELECTRA). */
  public EncoderConfig(EncoderFamily family, int vocabSize, int hiddenSize, int numLayers, int numHeads,
      int intermediateSize, String hiddenAct, int maxPositionEmbeddings, int typeVocabSize, double layerNormEps,
      int padTokenId) {
    this(family, vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, hiddenAct, maxPositionEmbeddings,
        typeVocabSize, layerNormEps, padTokenId, hiddenSize);
  }

  /** Activations written as exact erf GELU, as HF's "gelu" is. Approximate variants are refused. */
  static final Set<String> ERF_GELU = Set.of("gelu", "gelu_python");

  public EncoderConfig {
    requirePositive(vocabSize, "vocab_size");
    requirePositive(hiddenSize, "hidden_size");
    requirePositive(numLayers, "num_hidden_layers");
    requirePositive(numHeads, "num_attention_heads");
    requirePositive(intermediateSize, "intermediate_size");
    requirePositive(maxPositionEmbeddings, "max_position_embeddings");
    requirePositive(typeVocabSize, "type_vocab_size");
    requirePositive(embeddingSize, "embedding_size");
    if (family != EncoderFamily.ELECTRA && embeddingSize != hiddenSize) {
      throw new ConversionException("config.json: embedding_size " + embeddingSize + " differs from hidden_size "
          + hiddenSize + ", which only ELECTRA (model_type \"electra\") projects; " + family.modelType()
          + " embeddings are hidden_size wide.");
    }
    if (hiddenSize % numHeads != 0) {
      throw new ConversionException("config.json: hidden_size " + hiddenSize
          + " is not a multiple of num_attention_heads " + numHeads + ".");
    }
    if (!ERF_GELU.contains(hiddenAct)) {
      throw new ConversionException("config.json: hidden_act \"" + hiddenAct + "\" is not supported; kluespark "
          + "writes exact (erf) GELU, which BERT and RoBERTa checkpoints use (\"gelu\").");
    }
    if (!(layerNormEps > 0)) {
      throw new ConversionException("config.json: layer_norm_eps must be positive, got " + layerNormEps + ".");
    }
  }

  public static EncoderConfig parse(String json, String source) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new ConversionException(source + " is not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new ConversionException(source + " is not a JSON object; expected a HuggingFace config.json.");
    }
    EncoderFamily family = EncoderFamily.fromModelType(text(root, "model_type", null), source);
    return new EncoderConfig(family,
        integer(root, "vocab_size", null, source),
        integer(root, "hidden_size", null, source),
        integer(root, "num_hidden_layers", null, source),
        integer(root, "num_attention_heads", null, source),
        integer(root, "intermediate_size", null, source),
        text(root, "hidden_act", "gelu").toLowerCase(Locale.ROOT),
        integer(root, "max_position_embeddings", null, source),
        integer(root, "type_vocab_size", 2, source),
        number(root, "layer_norm_eps", 1e-12, source),
        integer(root, "pad_token_id", family.defaultPadTokenId(), source),
        embeddingSize(root, family, source));
  }

  /** ELECTRA's {@code embedding_size} (HF's default when absent); other families' embeddings are hidden_size wide. */
  private static int embeddingSize(JsonNode root, EncoderFamily family, String source) {
    return family == EncoderFamily.ELECTRA
        ? integer(root, "embedding_size", ELECTRA_DEFAULT_EMBEDDING_SIZE, source)
        : integer(root, "hidden_size", null, source);
  }

  /** Whether the embeddings go through ELECTRA's {@code embeddings_project} (embedding_size != hidden_size). */
  public boolean hasEmbeddingProjection() {
    return embeddingSize != hiddenSize;
  }

  public int headSize() {
    return hiddenSize / numHeads;
  }

  /** The first position id a real token gets: 0 for BERT, {@code pad_token_id + 1} for RoBERTa. */
  public int positionOffset() {
    return family.robertaPositions() ? padTokenId + 1 : 0;
  }

  /** The longest sequence the position table holds. */
  public int maxSequenceLength() {
    return maxPositionEmbeddings - positionOffset();
  }

  /** Whether the graph takes a {@code token_type_ids} input (RoBERTa has one type and no such input). */
  public boolean hasTokenTypeInput() {
    return !family.robertaPositions();
  }

  /** One line for messages: "bert, 12 layers, hidden 768, 12 heads, intermediate 3072, vocab 32000, 512 tokens". */
  public String summary() {
    return family.modelType() + ", " + numLayers + " layers, hidden " + hiddenSize
        + (hasEmbeddingProjection() ? " (embeddings " + embeddingSize + ", projected)" : "") + ", " + numHeads
        + " heads, intermediate " + intermediateSize + ", vocab " + vocabSize + ", " + maxSequenceLength() + " tokens";
  }

  /** The config.json text for this config, as HF writes it (for synthetic checkpoints and bundles). */
  public String toJson() {
    var root = new ObjectMapper().createObjectNode();
    root.put("model_type", family.modelType());
    root.putArray("architectures").add(family.architecture());
    root.put("vocab_size", vocabSize);
    if (family == EncoderFamily.ELECTRA) {
      root.put("embedding_size", embeddingSize);
    }
    root.put("hidden_size", hiddenSize);
    root.put("num_hidden_layers", numLayers);
    root.put("num_attention_heads", numHeads);
    root.put("intermediate_size", intermediateSize);
    root.put("hidden_act", hiddenAct);
    root.put("max_position_embeddings", maxPositionEmbeddings);
    root.put("type_vocab_size", typeVocabSize);
    root.put("layer_norm_eps", layerNormEps);
    root.put("pad_token_id", padTokenId);
    root.put("hidden_dropout_prob", 0.1);
    root.put("attention_probs_dropout_prob", 0.1);
    root.put("initializer_range", 0.02);
    try {
      return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void requirePositive(int value, String field) {
    if (value <= 0) {
      throw new ConversionException("config.json: " + field + " must be positive, got " + value + ".");
    }
  }

  private static String text(JsonNode root, String field, String fallback) {
    JsonNode node = root.get(field);
    return node == null || node.isNull() ? fallback : node.asText();
  }

  private static int integer(JsonNode root, String field, Integer fallback, String source) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      if (fallback == null) {
        throw new ConversionException(source + " has no \"" + field + "\"; the converter reads every dimension "
            + "from config.json.");
      }
      return fallback;
    }
    if (!node.canConvertToInt() || !node.isIntegralNumber()) {
      throw new ConversionException(source + ": \"" + field + "\" must be an integer, got " + node + ".");
    }
    return node.asInt();
  }

  private static double number(JsonNode root, String field, double fallback, String source) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isNumber()) {
      throw new ConversionException(source + ": \"" + field + "\" must be a number, got " + node + ".");
    }
    return node.asDouble();
  }
}
