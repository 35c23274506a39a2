package org.kluespark.pooling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.convert.CheckpointConverter;
import org.kluespark.convert.ExportOptions;
import org.kluespark.embed.Embedding;
import org.kluespark.embed.EmbeddingSettings;
import org.kluespark.embed.WindowEmbedder;
import org.kluespark.inference.EncoderSession;
import org.kluespark.inference.ExecutionTarget;
import org.kluespark.inference.OrtSessionFactory;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelBundleLoader;
import org.kluespark.model.ModelInspector;
import org.kluespark.model.ModelSignature;
import org.kluespark.testing.TorchFixtures;
import org.kluespark.tokenize.TokenizedText;

/**
 * The converted {@code tiny-st-bert} fixture against PyTorch's own sentence-transformers pipeline (plain-torch
 * copies of Pooling, Dense and Normalize, {@code tests/scripts/make_torch_fixtures.py}): the declared pipeline
 * (mean, Dense 32 → 20 tanh read from a pytorch_model.bin, Normalize) under {@code pooling=auto}, and every other
 * mode declared with the same Dense and Normalize. The fixture's batch (a sentence pair and padded rows) is fed as
 * token ids, the way the TokenEncoder stage takes them.
 */
class TorchSentenceTransformersFixtureTest {
  static final double TOLERANCE = 1e-4;

  @TempDir Path dir;

  @Test
  void everyDeclaredModeMatchesPyTorchsSentenceEmbedding() throws Exception {
    Path fixture = TorchFixtures.dir(TorchFixtures.TINY_ST_BERT);
    JsonNode expected = new ObjectMapper().readTree(Files.readString(fixture.resolve("expected.json")));
    CheckpointConverter.convert(fixture, dir.resolve("bundle"), ExportOptions.defaults(), line -> { });
    ModelBundle bundle = ModelBundleLoader.load(dir.resolve("bundle").toString(), new Configuration());
    SentenceDeclaration declared = bundle.declaration().orElseThrow();
    assertThat(declared.summary()).isEqualTo("mean, then Dense 32 -> 20, tanh, bias, then L2 normalize");
    ModelSignature signature = ModelInspector.inspect(bundle, 32);

    List<TokenizedText> rows = rows(expected);
    try (EncoderSession session = new EncoderSession(OrtSessionFactory.create(bundle, ExecutionTarget.CPU, 1),
        signature, ExecutionTarget.CPU)) {
      for (Pooling mode : List.of(Pooling.CLS, Pooling.MEAN, Pooling.MAX, Pooling.MEAN_SQRT_LEN_TOKENS,
          Pooling.WEIGHTEDMEAN, Pooling.LASTTOKEN)) {
        SentenceDeclaration declaration = new SentenceDeclaration(mode, declared.dense(), true, "test");
        PoolingRule.Resolved resolved = PoolingRule.resolve("auto", null, declaration, bundle.dense(),
            signature.hasPooler(), bundle.location());
        EmbeddingSettings settings = new EmbeddingSettings(32, 4, 64, resolved.pooling(), resolved.normalize(),
            false).withDense(resolved.dense());
        List<Embedding> got = new WindowEmbedder(session, settings, org.kluespark.embed.EmbeddingListener.NONE)
            .embedTokenized(rows);
        JsonNode want = expected.path("sentence_embedding").path(mode.paramValue());
        double maxAbs = 0;
        for (int row = 0; row < rows.size(); row++) {
          float[] pooled = got.get(row).pooled();
          assertThat(pooled).hasSize(want.get(row).size()).hasSize(20);
          for (int d = 0; d < pooled.length; d++) {
            maxAbs = Math.max(maxAbs, Math.abs(pooled[d] - want.get(row).get(d).asDouble()));
          }
        }
        System.out.printf("tiny-st-bert %s + Dense + Normalize: max-abs %.2e vs PyTorch%n", mode, maxAbs);
        assertThat(maxAbs).as(mode.paramValue()).isLessThanOrEqualTo(TOLERANCE);
      }
    }
  }

  /** The fixture's rows without their padding. */
  private static List<TokenizedText> rows(JsonNode expected) {
    List<TokenizedText> rows = new ArrayList<>();
    for (int row = 0; row < expected.path("input_ids").size(); row++) {
      JsonNode mask = expected.path("attention_mask").get(row);
      int length = 0;
      while (length < mask.size() && mask.get(length).asInt() == 1) {
        length++;
      }
      long[] ids = new long[length];
      long[] types = new long[length];
      for (int t = 0; t < length; t++) {
        ids[t] = expected.path("input_ids").get(row).get(t).asLong();
        types[t] = expected.path("token_type_ids").get(row).get(t).asLong();
      }
      rows.add(new TokenizedText(ids, types, false));
    }
    return rows;
  }
}
