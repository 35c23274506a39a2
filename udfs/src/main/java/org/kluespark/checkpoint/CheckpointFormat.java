package org.kluespark.checkpoint;

/** The weight files of a HuggingFace checkpoint directory, in the order {@link CheckpointReader} prefers them. */
public enum CheckpointFormat {
  SAFETENSORS(SafetensorsReader.FILE_NAME, false),
  SAFETENSORS_SHARDED(SafetensorsReader.INDEX_FILE_NAME, true),
  PYTORCH(TorchCheckpointReader.FILE_NAME, false),
  PYTORCH_SHARDED(TorchCheckpointReader.INDEX_FILE_NAME, true);

  private final String fileName;
  private final boolean sharded;

  CheckpointFormat(String fileName, boolean sharded) {
    this.fileName = fileName;
    this.sharded = sharded;
  }

  /** The file that marks this format: the weights themselves, or the shard index. */
  public String fileName() {
    return fileName;
  }

  /** Whether {@link #fileName()} is an index naming shard files. */
  public boolean isSharded() {
    return sharded;
  }
}
