package org.kluespark.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which of a repository's files the converter needs; everything else (other frameworks' weights, ONNX
 * exports, READMEs) is skipped. Preference order follows what transformers itself loads first.
 *
 * <ul>
 *   <li>{@code config.json} (required)</li>
 *   <li>tokenizer: {@code tokenizer.json}; else {@code vocab.txt} (BERT WordPiece); else {@code vocab.json}
 *       + {@code merges.txt} (RoBERTa BPE); else {@code sentencepiece.bpe.model} (XLM-R). {@code tokenizer_config.json} and {@code special_tokens_map.json}
 *       come along when present (casing, special tokens, max length).</li>
 *   <li>weights: {@code model.safetensors}; else {@code model.safetensors.index.json} and its shards; else
 *       {@code pytorch_model.bin}; else {@code pytorch_model.bin.index.json} and its shards. Shards are
 *       named inside the index, so they are listed by {@link #shardsOf} once the index is on disk.</li>
 * </ul>
 */
final class CheckpointFiles {

  static final String CONFIG = "config.json";
  static final List<String> OPTIONAL_TOKENIZER_EXTRAS = List.of("tokenizer_config.json", "special_tokens_map.json");
  static final List<String> WEIGHT_FILES = List.of("model.safetensors", "model.safetensors.index.json",
      "pytorch_model.bin", "pytorch_model.bin.index.json");

  static final String MODULES = "modules.json";
  static final List<String> DENSE_WEIGHT_FILES = List.of("model.safetensors", "pytorch_model.bin");

  private CheckpointFiles() {}

  /**
   * The files to fetch from {@code available} (repository-relative names), weight index included but
   * not its shards. {@code where} names the repository or snapshot for the error message.
   */
  static List<String> select(Collection<String> available, String where) {
    Set<String> files = Set.copyOf(available);
    List<String> chosen = new ArrayList<>();
    if (!files.contains(CONFIG)) {
      throw missing(where, "config.json", files);
    }
    chosen.add(CONFIG);
    if (files.contains("tokenizer.json")) {
      chosen.add("tokenizer.json");
    } else if (files.contains("vocab.txt")) {
      chosen.add("vocab.txt");
    } else if (files.contains("vocab.json") && files.contains("merges.txt")) {
      chosen.add("vocab.json");
      chosen.add("merges.txt");
    } else if (files.contains("sentencepiece.bpe.model")) { // XLM-R: the converter builds tokenizer.json from it
      chosen.add("sentencepiece.bpe.model");
    } else {
      throw missing(where, "a tokenizer (tokenizer.json, vocab.txt, vocab.json + merges.txt, or "
          + "sentencepiece.bpe.model)", files);
    }
    OPTIONAL_TOKENIZER_EXTRAS.stream().filter(files::contains).forEach(chosen::add);
    Optional<String> weights = WEIGHT_FILES.stream().filter(files::contains).findFirst();
    if (weights.isEmpty()) {
      throw missing(where, "weights (" + String.join(", ", WEIGHT_FILES) + ")", files);
    }
    chosen.add(weights.get());
    chosen.addAll(sentenceTransformerFiles(files));
    return List.copyOf(chosen);
  }

  /**
   * A sentence-transformers repository's pipeline: {@code modules.json}, each {@code N_Pooling/config.json}, and
   * each {@code N_Dense/config.json} with its weights (safetensors preferred). Normalize has no files.
   */
  static List<String> sentenceTransformerFiles(Set<String> files) {
    if (!files.contains(MODULES)) {
      return List.of();
    }
    List<String> chosen = new ArrayList<>();
    chosen.add(MODULES);
    for (String file : new TreeSet<>(files)) {
      if (file.matches("\\d+_(Pooling|Dense)/config\\.json")) {
        chosen.add(file);
        String dir = file.substring(0, file.indexOf('/') + 1);
        if (dir.endsWith("_Dense/")) {
          DENSE_WEIGHT_FILES.stream().map(name -> dir + name).filter(files::contains).findFirst()
              .ifPresent(chosen::add);
        }
      }
    }
    return chosen;
  }

  /** The weight index among {@code chosen}, if the weights are sharded. */
  static Optional<String> weightIndex(List<String> chosen) {
    return chosen.stream().filter(f -> f.endsWith(".index.json")).findFirst();
  }

  /** The distinct shard files an index's {@code weight_map} names, in first-seen order. */
  static List<String> shardsOf(Path indexFile, String indexName) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readString(indexFile));
    } catch (IOException e) {
      throw new HubException(indexName + " (" + indexFile + ") is not readable JSON: " + e.getMessage()
          + ". Delete it from the cache and download again.", e);
    }
    JsonNode map = root == null ? null : root.get("weight_map");
    if (map == null || !map.isObject() || map.isEmpty()) {
      throw new HubException(indexName + " (" + indexFile + ") has no \"weight_map\" object naming the shards; "
          + "the checkpoint's sharded weights cannot be located.");
    }
    Set<String> shards = new LinkedHashSet<>();
    for (Iterator<JsonNode> it = map.elements(); it.hasNext(); ) {
      shards.add(it.next().asText());
    }
    return List.copyOf(shards);
  }

  private static HubException missing(String where, String what, Set<String> files) {
    return new HubException(where + " has no " + what + "; it has " + new TreeSet<>(files)
        + ". kluespark converts BERT/RoBERTa checkpoints saved with transformers' save_pretrained; "
        + "choose a repository (or revision) that has these files.");
  }
}
