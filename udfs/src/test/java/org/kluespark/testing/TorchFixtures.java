package org.kluespark.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Array;
import java.net.URISyntaxException;
import java.net.URL;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The tiny checkpoints made with real PyTorch by {@code tests/scripts/make_torch_fixtures.py}, each with
 * PyTorch's outputs in {@code expected.json} (see {@code torch-fixtures/README.md}).
 */
public final class TorchFixtures {
  /** BertModel, no prefix; safetensors and pytorch_model.bin. */
  public static final String TINY_BERT = "tiny-bert";
  /** RobertaForMaskedLM-style: {@code roberta.} prefix plus {@code lm_head.*}; safetensors and pytorch_model.bin. */
  public static final String TINY_ROBERTA = "tiny-roberta";
  /** tiny-bert's weights as {@code bert.*} with LayerNorm gamma/beta, plus {@code cls.*}; safetensors only. */
  public static final String TINY_BERT_LEGACY_NAMES = "tiny-bert-legacy-names";
  /**
   * ElectraForPreTraining-style: {@code electra.} prefix, embeddings 16 wide projected to hidden 32
   * ({@code embeddings_project}), plus {@code discriminator_predictions.*}; no pooler; safetensors and .bin.
   */
  public static final String TINY_ELECTRA = "tiny-electra";
  /**
   * A BertModel in sentence-transformers layout: modules.json, 1_Pooling (mean), 2_Dense (tanh, weights in
   * pytorch_model.bin), Normalize; expected.json holds the pipeline's output for every pooling mode.
   */
  public static final String TINY_ST_BERT = "tiny-st-bert";
  /** XLMRobertaModel, no prefix; its tokenizer is unigram/ko-unigram.model, as sentencepiece.bpe.model. */
  public static final String TINY_XLM_ROBERTA = "tiny-xlm-roberta";

  private TorchFixtures() {}

  /** The fixture directory on the test classpath. */
  public static Path dir(String name) {
    String resource = "torch-fixtures/" + name + "/config.json";
    URL url = TorchFixtures.class.getClassLoader().getResource(resource);
    if (url == null) {
      throw new IllegalStateException("Test resource " + resource + " is missing; regenerate it with "
          + "/usr/bin/python3 tests/scripts/make_torch_fixtures.py");
    }
    if ("jar".equals(url.getProtocol())) {
      // Another module's tests see this class in the udfs test-jar: use the checked-in files instead.
      return TestModels.repoRoot().resolve("udfs/src/test/resources/torch-fixtures").resolve(name);
    }
    try {
      return Path.of(url.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Copies fixture {@code name}'s files into {@code to} (created), for tests that alter a checkpoint. */
  public static Path copy(String name, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(dir(name))) {
      for (Path file : files.toList()) {
        Files.copy(file, to.resolve(file.getFileName()));
      }
    }
    return to;
  }

  /** A fixture's nested JSON integers (input_ids, attention_mask ...) as {@code long[rows][tokens]}. */
  public static long[][] longs(JsonNode rows) {
    long[][] out = new long[rows.size()][];
    for (int r = 0; r < rows.size(); r++) {
      out[r] = new long[rows.get(r).size()];
      for (int t = 0; t < out[r].length; t++) {
        out[r][t] = rows.get(r).get(t).asLong();
      }
    }
    return out;
  }

  /** A fixture's [batch][tokens][hidden] JSON numbers as doubles. */
  public static double[][][] doubles(JsonNode batch) {
    double[][][] out = new double[batch.size()][][];
    for (int r = 0; r < out.length; r++) {
      out[r] = new double[batch.get(r).size()][];
      for (int t = 0; t < out[r].length; t++) {
        JsonNode row = batch.get(r).get(t);
        out[r][t] = new double[row.size()];
        for (int i = 0; i < row.size(); i++) {
          out[r][t][i] = row.get(i).asDouble();
        }
      }
    }
    return out;
  }

  /**
   * Max-abs between float arrays of any depth (an ONNX Runtime output) and nested JSON numbers or double arrays
   * of the same shape; a shape mismatch fails the assertion.
   */
  public static double maxAbs(Object actual, Object expected) {
    int n = Array.getLength(actual);
    int m = expected instanceof JsonNode node ? node.size() : Array.getLength(expected);
    assertThat(n).isEqualTo(m);
    double max = 0;
    for (int i = 0; i < n; i++) {
      Object want = expected instanceof JsonNode node ? node.get(i) : Array.get(expected, i);
      if (actual instanceof float[] values) {
        double w = want instanceof JsonNode node ? node.asDouble() : (Double) want;
        max = Math.max(max, Math.abs(values[i] - w));
      } else {
        max = Math.max(max, maxAbs(Array.get(actual, i), want));
      }
    }
    return max;
  }
}
