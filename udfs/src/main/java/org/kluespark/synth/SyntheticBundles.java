package org.kluespark.synth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.kluespark.convert.CheckpointConverter;
import org.kluespark.convert.EncoderGraphWriter;
import org.kluespark.convert.ExportOptions;

/**
 * Synthetic checkpoints converted to bundles once and kept in a cache directory, so tests and
 * benchmarks at the published model sizes pay for synthesis and conversion only on the first run.
 * Layout: {@code <cache>/<preset>-seed<seed>-corpus<hash>-layout<v>/checkpoint} (HF layout) and
 * {@code .../bundle}.
 */
public final class SyntheticBundles {
  private static final String COMPLETE_MARKER = ".complete";

  private SyntheticBundles() {}

  /** The bundle directory for {@code preset}, made from {@code corpusPaths} on first use. */
  public static synchronized Path ensure(ModelPreset preset, long seed, List<Path> corpusPaths, Path cacheRoot) {
    List<String> corpus = SyntheticCheckpoint.corpusLines(corpusPaths);
    // The vocabulary depends on the corpus: a changed corpus gets its own entry, never a stale tokenizer; and
    // a new graph layout gets its own, never a bundle converted by an older converter.
    Path root = cacheRoot.resolve(preset.id() + "-seed" + seed + "-corpus" + Integer.toHexString(corpus.hashCode())
        + "-layout" + EncoderGraphWriter.LAYOUT_VERSION);
    Path bundle = root.resolve("bundle");
    if (Files.exists(root.resolve(COMPLETE_MARKER))) {
      return bundle;
    }
    Path checkpoint = root.resolve("checkpoint");
    SyntheticCheckpoint.write(preset, corpus, seed, checkpoint);
    CheckpointConverter.convert(checkpoint, bundle, ExportOptions.defaults(), line -> { });
    try {
      Files.deleteIfExists(checkpoint.resolve("model.safetensors")); // the bundle holds the weights now
      Files.writeString(root.resolve(COMPLETE_MARKER), preset.id() + " seed " + seed + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bundle;
  }
}
