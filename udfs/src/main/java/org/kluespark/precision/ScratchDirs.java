package org.kluespark.precision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Scratch directories of the precision conversions (a model written out for ONNX Runtime to load). */
final class ScratchDirs {
  private ScratchDirs() {}

  /** Deletes {@code dir} and everything in it; a scratch directory left in the temp folder is harmless. */
  static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // left behind: harmless
    }
  }
}
