package org.kluespark.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code model.safetensors} (or a sharded set through its index) into float32 weights in header
 * order. F32, F16, BF16 are widened and F64 narrowed to float32; integer and boolean tensors are
 * buffers (e.g. {@code position_ids}), not weights, and are left out of the result. Other dtypes
 * (float8, complex) are an error. The header is validated strictly before any data is read.
 */
public final class SafetensorsReader {
  public static final String FILE_NAME = "model.safetensors";
  public static final String INDEX_FILE_NAME = "model.safetensors.index.json";

  private SafetensorsReader() {}

  public static Map<String, WeightTensor> read(Path file) {
    return readShard(file).weights();
  }

  /** All shards named by {@code indexFile} ({@code model.safetensors.index.json}). */
  public static Map<String, WeightTensor> readSharded(Path indexFile) {
    return ShardIndex.read(indexFile).readAll(SafetensorsReader::readShard);
  }

  /** The header's {@code __metadata__} (e.g. {@code {"format": "pt"}}); empty when absent. */
  public static Map<String, String> metadata(Path file) {
    try (SafetensorsFile safetensors = SafetensorsFile.open(file)) {
      return safetensors.metadata();
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot close the file: " + e, e);
    }
  }

  static ShardIndex.ShardContents readShard(Path file) {
    try (SafetensorsFile safetensors = SafetensorsFile.open(file)) {
      Map<String, WeightTensor> weights = new LinkedHashMap<>();
      Set<String> names = new LinkedHashSet<>();
      for (SafetensorsFile.Entry entry : safetensors.entries()) {
        names.add(entry.name());
        if (entry.dtype().isSkipped()) {
          continue;
        }
        if (!entry.dtype().isFloatingPoint()) {
          throw new CheckpointException(file + ": tensor \"" + entry.name() + "\" has dtype " + entry.dtype()
              + ", which kluespark cannot read; save the checkpoint with float32, float16 or bfloat16 weights.");
        }
        weights.put(entry.name(), new WeightTensor(entry.name(), entry.shape(), safetensors.read(entry)));
      }
      return new ShardIndex.ShardContents(weights, names);
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot close the file: " + e, e);
    }
  }
}
