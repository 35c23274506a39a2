package org.kluespark.job.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Optional;

/**
 * A BERT-family encoder's size from its {@code config.json}, and the work of a forward pass counted as the
 * benchmark harness counts it ({@code tests}' {@code org.kluespark.benchmark.ModelShape}): 2 FLOP per
 * non-embedding parameter and real token, plus attention's Q·Kᵀ and P·V, 2 × 2 × seq² × hidden per layer and
 * row. Padding is not counted; embedding look-ups, softmax, LayerNorm, GELU and pooling are left out.
 */
public record EncoderShape(int hidden, int layers, int intermediate) {

  /** Per layer: Q, K, V, output projections (4h² + 4h), feed-forward (2hi + i + h), two LayerNorms (4h). */
  public long nonEmbeddingParameters() {
    long h = hidden;
    long i = intermediate;
    return layers * (4 * h * h + 2 * h * i + 9 * h + i);
  }

  /** FLOP of a forward pass over rows with these real-token totals. */
  public double flops(TokenWork work) {
    return 2.0 * nonEmbeddingParameters() * work.tokens() + 4.0 * layers * hidden * work.squaredTokens();
  }

  /** HuggingFace names hidden_size, num_hidden_layers, intermediate_size; empty when one is missing. */
  public static Optional<EncoderShape> parse(String configJson) {
    if (configJson == null) {
      return Optional.empty();
    }
    try {
      JsonNode root = new ObjectMapper().readTree(configJson);
      JsonNode hidden = root == null ? null : root.get("hidden_size");
      JsonNode layers = root == null ? null : root.get("num_hidden_layers");
      JsonNode intermediate = root == null ? null : root.get("intermediate_size");
      if (hidden == null || layers == null || intermediate == null || !hidden.canConvertToInt()
          || !layers.canConvertToInt() || !intermediate.canConvertToInt()) {
        return Optional.empty();
      }
      return Optional.of(new EncoderShape(hidden.asInt(), layers.asInt(), intermediate.asInt()));
    } catch (IOException e) {
      return Optional.empty(); // the stage validates config.json itself; here it only decides whether GFLOP shows
    }
  }
}
