package org.kluespark.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads the weights of a HuggingFace checkpoint directory, choosing the first present of
 * {@code model.safetensors}, {@code model.safetensors.index.json}, {@code pytorch_model.bin} and
 * {@code pytorch_model.bin.index.json} (safetensors first: it cannot carry code and reads without
 * unpickling).
 */
public final class CheckpointReader {
  private CheckpointReader() {}

  /** All float weights (widened to float32) in file order; integer buffers are left out. */
  public static Map<String, WeightTensor> read(Path checkpointDir) {
    CheckpointFormat format = format(checkpointDir);
    Path file = checkpointDir.resolve(format.fileName());
    return switch (format) {
      case SAFETENSORS -> SafetensorsReader.read(file);
      case SAFETENSORS_SHARDED -> SafetensorsReader.readSharded(file);
      case PYTORCH -> TorchCheckpointReader.read(file);
      case PYTORCH_SHARDED -> TorchCheckpointReader.readSharded(file);
    };
  }

  /** The format {@link #read} would use; an error listing the files looked for when there is none. */
  public static CheckpointFormat format(Path checkpointDir) {
    return find(checkpointDir).orElseThrow(() -> new CheckpointException(checkpointDir
        + " has no checkpoint weights: looked for " + Arrays.stream(CheckpointFormat.values())
            .map(CheckpointFormat::fileName).collect(Collectors.joining(", "))
        + ". Download the model's weights (and config.json) from the HuggingFace hub into it."));
  }

  /** The preferred format present in {@code checkpointDir}, if any. */
  public static Optional<CheckpointFormat> find(Path checkpointDir) {
    return Arrays.stream(CheckpointFormat.values())
        .filter(format -> Files.isRegularFile(checkpointDir.resolve(format.fileName())))
        .findFirst();
  }

  /**
   * The files {@link #read} would read: the single weight file, or the index followed by the shard files
   * it names (which need not exist yet, so a downloader can fetch them).
   */
  public static List<Path> weightFiles(Path checkpointDir) {
    CheckpointFormat format = format(checkpointDir);
    Path file = checkpointDir.resolve(format.fileName());
    List<Path> files = new ArrayList<>();
    files.add(file);
    if (format.isSharded()) {
      files.addAll(ShardIndex.read(file).shardFiles());
    }
    return files;
  }
}
