package org.kluespark.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Iterator;

/** Reads facts from a HuggingFace {@code tokenizer.json} that the DJL tokenizer does not expose. */
public final class TokenizerFile {
  private TokenizerFile() {}

  /** One more than the largest token id the tokenizer can emit (model vocabulary and added tokens). */
  public static int vocabularySize(String json, String fileLocation) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new ModelBundleException(fileLocation + " is not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject() || !root.has("model")) {
      throw new ModelBundleException(fileLocation + " is not a HuggingFace tokenizer.json (no \"model\" "
          + "section). Save the tokenizer with tokenizer.save_pretrained() from a *fast* tokenizer.");
    }
    long maxId = -1;
    JsonNode vocab = root.get("model").get("vocab");
    if (vocab != null && vocab.isObject()) { // WordPiece, BPE: token -> id
      for (Iterator<JsonNode> ids = vocab.elements(); ids.hasNext(); ) {
        maxId = Math.max(maxId, ids.next().asLong());
      }
    } else if (vocab != null && vocab.isArray()) { // Unigram: [[token, score], ...]
      maxId = vocab.size() - 1L;
    }
    JsonNode added = root.get("added_tokens");
    if (added != null && added.isArray()) {
      for (JsonNode token : added) {
        maxId = Math.max(maxId, token.path("id").asLong(-1));
      }
    }
    if (maxId < 0) {
      throw new ModelBundleException(fileLocation + " has an empty vocabulary.");
    }
    return Math.toIntExact(maxId + 1);
  }

  /**
   * The id batches are padded with: the tokenizer's configured pad id, else the id of {@code [PAD]} or
   * {@code <pad>}, else 0. Padding is masked out, but RoBERTa-style graphs derive position ids from
   * {@code input_ids != pad}, so the right id matters there.
   */
  static long padTokenId(String json) {
    try {
      JsonNode root = new ObjectMapper().readTree(json);
      JsonNode padding = root.path("padding");
      if (padding.has("pad_id")) {
        return padding.get("pad_id").asLong();
      }
      JsonNode vocab = root.path("model").path("vocab");
      for (String token : new String[] {"[PAD]", "<pad>"}) {
        if (vocab.isObject() && vocab.has(token)) {
          return vocab.get(token).asLong();
        }
        for (JsonNode added : root.path("added_tokens")) {
          if (token.equals(added.path("content").asText())) {
            return added.path("id").asLong();
          }
        }
      }
      return 0;
    } catch (IOException e) {
      throw new ModelBundleException("tokenizer.json is not valid JSON: " + e.getMessage(), e);
    }
  }
}
