package org.kluespark.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the sentence-transformers files of a checkpoint as the library saves them: {@code modules.json}
 * (Transformer, Pooling, optionally Normalize), {@code 1_Pooling/config.json}, {@code 2_Normalize/} and
 * {@code sentence_bert_config.json}. Kept in this one class so it can be swapped for the project's shared
 * sentence-transformers writer when that lands.
 */
public final class SentenceTransformersFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SentenceTransformersFiles() {}

  public static void write(Path dir, SentenceEmbeddingDeclaration declaration, int hiddenSize, int maxSeqLength)
      throws IOException {
    ArrayNode modules = JSON.createArrayNode();
    module(modules, 0, "", "sentence_transformers.models.Transformer");
    module(modules, 1, "1_Pooling", "sentence_transformers.models.Pooling");
    if (declaration.normalize()) {
      module(modules, 2, "2_Normalize", "sentence_transformers.models.Normalize");
      Files.createDirectories(dir.resolve("2_Normalize"));
    }
    Files.writeString(dir.resolve("modules.json"), modules.toPrettyString() + "\n", StandardCharsets.UTF_8);

    ObjectNode pooling = JSON.createObjectNode();
    pooling.put("word_embedding_dimension", hiddenSize);
    pooling.put("pooling_mode_cls_token", declaration.pooling().equals("cls"));
    pooling.put("pooling_mode_mean_tokens", declaration.pooling().equals("mean"));
    pooling.put("pooling_mode_max_tokens", declaration.pooling().equals("max"));
    pooling.put("pooling_mode_mean_sqrt_len_tokens", false);
    pooling.put("pooling_mode_weightedmean_tokens", false);
    pooling.put("pooling_mode_lasttoken", false);
    pooling.put("include_prompt", true);
    Files.createDirectories(dir.resolve("1_Pooling"));
    Files.writeString(dir.resolve("1_Pooling/config.json"), pooling.toPrettyString() + "\n", StandardCharsets.UTF_8);

    ObjectNode bert = JSON.createObjectNode().put("max_seq_length", maxSeqLength).put("do_lower_case", false);
    Files.writeString(dir.resolve("sentence_bert_config.json"), bert.toPrettyString() + "\n", StandardCharsets.UTF_8);
  }

  private static void module(ArrayNode modules, int idx, String path, String type) {
    modules.addObject().put("idx", idx).put("name", Integer.toString(idx)).put("path", path).put("type", type);
  }
}
