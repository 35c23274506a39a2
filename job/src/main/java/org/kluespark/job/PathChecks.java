package org.kluespark.job;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checks --input and --output on their file systems before any Spark job runs, so mistakes cost seconds, not a
 * failed job, and overwriting can never delete the input.
 */
final class PathChecks {
  private PathChecks() {}

  /** The input's files or directories (several for a glob); fails when nothing matches. */
  static List<FileStatus> requireInput(String input, Configuration hadoopConf) {
    Path path = new Path(input);
    try {
      FileSystem fs = path.getFileSystem(hadoopConf);
      FileStatus[] matches = fs.globStatus(path);
      if (matches == null || matches.length == 0) {
        throw new IllegalArgumentException("--input " + input + " does not exist (looked for "
            + fs.makeQualified(path) + ").");
      }
      return List.of(matches);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read --input " + input + ": " + e.getMessage(), e);
    }
  }

  /** True when the input is one directory (its format cannot come from a file's extension). */
  static boolean isSingleDirectory(List<FileStatus> inputs) {
    return inputs.size() == 1 && inputs.get(0).isDirectory();
  }

  /** Fails when --output is, contains or lies inside the input, or exists and the mode does not replace it. */
  static void checkOutput(String output, WriteMode mode, List<FileStatus> inputs, Configuration hadoopConf) {
    Path path = new Path(output);
    try {
      FileSystem fs = path.getFileSystem(hadoopConf);
      Path qualified = fs.makeQualified(path);
      for (FileStatus input : inputs) {
        checkApart(output, qualified, input.getPath());
      }
      if (mode == WriteMode.ERRORIFEXISTS && exists(fs, qualified)) {
        throw new IllegalArgumentException("--output " + output + " already exists. Pass --mode overwrite to "
            + "replace it or --mode append to add rows to it, or choose another --output.");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot check --output " + output + ": " + e.getMessage(), e);
    }
  }

  private static void checkApart(String output, Path out, Path in) {
    if (out.equals(in)) {
      throw new IllegalArgumentException("--output " + output + " is the input itself; write the embeddings to "
          + "another path.");
    }
    if (isAncestor(out, in)) {
      throw new IllegalArgumentException("--output " + output + " contains the input " + in + "; overwriting it "
          + "would delete the input. Write the embeddings to another path.");
    }
    if (isAncestor(in, out)) {
      throw new IllegalArgumentException("--output " + output + " is inside the input " + in + "; the next read of "
          + "the input would include the embeddings. Write them outside it.");
    }
  }

  private static boolean isAncestor(Path ancestor, Path path) {
    for (Path parent = path.getParent(); parent != null; parent = parent.getParent()) {
      if (parent.equals(ancestor)) {
        return true;
      }
    }
    return false;
  }

  private static boolean exists(FileSystem fs, Path path) throws IOException {
    try {
      fs.getFileStatus(path);
      return true;
    } catch (FileNotFoundException e) {
      return false;
    }
  }
}
