package org.kluespark.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A sharded checkpoint's index ({@code model.safetensors.index.json} or
 * {@code pytorch_model.bin.index.json}): {@code weight_map} maps every tensor name to the shard file,
 * in the index's directory, that holds it.
 */
public record ShardIndex(Path file, Map<String, String> weightMap) {

  /** What one shard held: its weights, and the names of every tensor in it (skipped buffers too). */
  record ShardContents(Map<String, WeightTensor> weights, Set<String> names) {}

  /** Reads one shard file. */
  interface ShardReader {
    ShardContents read(Path shard);
  }

  public ShardIndex {
    weightMap = Collections.unmodifiableMap(new LinkedHashMap<>(weightMap));
  }

  public static ShardIndex read(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readString(file));
    } catch (IOException e) {
      throw new CheckpointException(file + " is not readable JSON (" + e.getMessage()
          + "); download the checkpoint's index again.", e);
    }
    JsonNode map = root == null ? null : root.get("weight_map");
    if (map == null || !map.isObject() || map.isEmpty()) {
      throw new CheckpointException(file + " has no \"weight_map\" object naming each tensor's shard file;"
          + " it is not a sharded-checkpoint index.");
    }
    Map<String, String> weightMap = new LinkedHashMap<>();
    map.fields().forEachRemaining(field -> {
      String shard = field.getValue().asText();
      if (!field.getValue().isTextual() || !isPlainFileName(shard)) {
        throw new CheckpointException(file + ": weight_map maps \"" + field.getKey() + "\" to " + field.getValue()
            + ", which is not a file name in the index's directory; the index is corrupt.");
      }
      weightMap.put(field.getKey(), shard);
    });
    return new ShardIndex(file, weightMap);
  }

  /** The shard files, in the order the index first names them. */
  public List<Path> shardFiles() {
    List<Path> files = new ArrayList<>();
    for (String shard : new LinkedHashSet<>(weightMap.values())) {
      files.add(file.resolveSibling(shard));
    }
    return files;
  }

  /**
   * Reads every shard, shard by shard in index order and each in its own order; every name the index
   * maps to a shard must be in that shard, and no tensor may appear in two shards.
   */
  Map<String, WeightTensor> readAll(ShardReader reader) {
    Map<String, WeightTensor> weights = new LinkedHashMap<>();
    Map<String, Path> seenIn = new LinkedHashMap<>();
    for (Path shard : shardFiles()) {
      if (!Files.isRegularFile(shard)) {
        throw new CheckpointException(file + " names shard " + shard.getFileName() + ", but " + shard
            + " does not exist; download every shard of the checkpoint.");
      }
      ShardContents contents = reader.read(shard);
      for (Map.Entry<String, String> mapped : weightMap.entrySet()) {
        if (mapped.getValue().equals(shard.getFileName().toString()) && !contents.names().contains(mapped.getKey())) {
          throw new CheckpointException(file + " says tensor \"" + mapped.getKey() + "\" is in " + shard
              + ", but that shard has no such tensor; the index and shards do not match — download them again.");
        }
      }
      for (String name : contents.names()) {
        Path previous = seenIn.put(name, shard);
        if (previous != null) {
          throw new CheckpointException("Tensor \"" + name + "\" is in both " + previous + " and " + shard
              + " (shards of " + file + "); the checkpoint is inconsistent.");
        }
      }
      weights.putAll(contents.weights());
    }
    return weights;
  }

  private static boolean isPlainFileName(String name) {
    return !name.isEmpty() && !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0
        && name.indexOf('\\') < 0 && name.indexOf('\0') < 0;
  }
}
