package org.kluespark.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.kluespark.job.profile.EncoderShape;
import org.kluespark.job.profile.TokenWork;

/**
 * A BERT-family encoder's size as its {@code config.json} gives it, and the floating-point work of a forward
 * pass (pure logic apart from reading the file).
 *
 * <p>Work per pass, the usual count for a transformer: 2 FLOP (a multiply and an add) per non-embedding
 * parameter and real token, plus attention's two products per layer and row, Q·Kᵀ and P·V, each seq² × hidden
 * multiply-adds at the row's real length: 2 × 2 × seq² × hidden. Padding is not counted (the rows' real
 * lengths only), so a system is not credited for work spent on pad tokens. Embedding look-ups, softmax,
 * LayerNorm arithmetic, GELU and pooling are left out; they are a few percent. The count itself is
 * {@link EncoderShape}'s, which {@code kluespark profile} uses too, so its GFLOP estimate and these agree.
 */
record ModelShape(int hidden, int layers, int intermediate) {

  /**
   * Non-embedding parameters: per layer, Q, K, V and output projections (4 h² + 4 h), the feed-forward block
   * (2 h i + i + h) and two LayerNorms (4 h). The pooler (h² + h, once per row) is left out.
   */
  long nonEmbeddingParameters() {
    return encoder().nonEmbeddingParameters();
  }

  /** FLOP of a forward pass over rows with these real-token totals. */
  double flops(TokenWork tokens) {
    return encoder().flops(tokens);
  }

  private EncoderShape encoder() {
    return new EncoderShape(hidden, layers, intermediate);
  }

  /** The shape in {@code bundleDir/config.json}, or empty when the file or one of its fields is missing. */
  static Optional<ModelShape> read(Path bundleDir) {
    Path config = bundleDir.resolve("config.json");
    if (!Files.isRegularFile(config)) {
      return Optional.empty();
    }
    try {
      return parse(Files.readString(config));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + config, e);
    }
  }

  /** HuggingFace names: hidden_size, num_hidden_layers, intermediate_size. */
  static Optional<ModelShape> parse(String configJson) throws IOException {
    JsonNode root = new ObjectMapper().readTree(configJson);
    JsonNode hidden = root.get("hidden_size");
    JsonNode layers = root.get("num_hidden_layers");
    JsonNode intermediate = root.get("intermediate_size");
    if (hidden == null || layers == null || intermediate == null || !hidden.canConvertToInt()
        || !layers.canConvertToInt() || !intermediate.canConvertToInt()) {
      return Optional.empty();
    }
    return Optional.of(new ModelShape(hidden.asInt(), layers.asInt(), intermediate.asInt()));
  }
}
