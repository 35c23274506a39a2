package org.kluespark.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The checks convert and quantize make before writing a bundle directory. */
final class OutputDirs {
  private OutputDirs() {}

  static void requireWritable(Path output, boolean overwrite) throws IOException {
    if (Files.isRegularFile(output)) {
      throw new IllegalArgumentException("--output " + output + " is a file; give a directory for the bundle.");
    }
    if (Files.isDirectory(output) && !overwrite) {
      try (Stream<Path> entries = Files.list(output)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException("--output " + output + " is not empty; choose a new directory or "
              + "pass --overwrite.");
        }
      }
    }
  }
}
