package org.kluespark.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** The few fields of a HuggingFace {@code config.json} that validation needs; all optional. */
record HfConfig(String modelType, Integer hiddenSize, Integer maxPositionEmbeddings, Integer vocabSize,
    Integer padTokenId) {

  static final HfConfig EMPTY = new HfConfig(null, null, null, null, null);

  static HfConfig parse(String json, String fileLocation) {
    if (json == null) {
      return EMPTY;
    }
    try {
      JsonNode root = new ObjectMapper().readTree(json);
      if (root == null || !root.isObject()) {
        throw new ModelBundleException(fileLocation + " is not a JSON object; expected a HuggingFace config.json.");
      }
      return new HfConfig(text(root, "model_type"), integer(root, "hidden_size"),
          integer(root, "max_position_embeddings"), integer(root, "vocab_size"), integer(root, "pad_token_id"));
    } catch (IOException e) {
      throw new ModelBundleException(fileLocation + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Positions a sequence may use. RoBERTa numbers positions from {@code pad_token_id + 1}, so
   * klue/roberta's 514 position embeddings hold 512 tokens.
   */
  Integer usablePositions() {
    if (maxPositionEmbeddings == null) {
      return null;
    }
    boolean offsetPositions = "roberta".equals(modelType) || "xlm-roberta".equals(modelType)
        || "camembert".equals(modelType);
    int offset = offsetPositions && padTokenId != null ? padTokenId + 1 : 0;
    return maxPositionEmbeddings - offset;
  }

  private static String text(JsonNode root, String field) {
    JsonNode node = root.get(field);
    return node == null || node.isNull() ? null : node.asText();
  }

  private static Integer integer(JsonNode root, String field) {
    JsonNode node = root.get(field);
    return node == null || !node.canConvertToInt() ? null : node.asInt();
  }
}
