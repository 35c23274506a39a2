package org.kluespark.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * --mode overwrite of an existing Parquet directory. Spark deletes the old files before its write job starts, so a
 * failed job would leave nothing; here the run writes into a hidden sibling directory and swaps it in only after
 * the job committed. The swap is two renames: atomic on HDFS and local disks, a copy on object stores (where
 * Delta is the way to get atomic overwrites).
 */
final class StagedOverwrite {
  private StagedOverwrite() {}

  /** @param writeTo writes the new output into the directory it is given */
  static void write(String output, Configuration hadoopConf, Consumer<String> writeTo) {
    Path target = new Path(output);
    try {
      FileSystem fs = target.getFileSystem(hadoopConf);
      target = fs.makeQualified(target);
      String run = UUID.randomUUID().toString();
      // Hidden names (leading dot): Spark skips them when the parent directory is read as a dataset.
      Path staging = new Path(target.getParent(), "." + target.getName() + ".kluespark-staging-" + run);
      Path previous = new Path(target.getParent(), "." + target.getName() + ".kluespark-previous-" + run);
      try {
        writeTo.accept(staging.toString());
      } catch (Exception e) { // Spark's job failures are checked SparkExceptions, thrown through Scala
        deleteQuietly(fs, staging);
        throw e;
      }
      if (!fs.rename(target, previous)) {
        deleteQuietly(fs, staging);
        throw new IOException("cannot move the old output aside to " + previous);
      }
      if (!fs.rename(staging, target)) {
        fs.rename(previous, target);
        throw new IOException("cannot move the new output " + staging + " into place; the old output is kept");
      }
      fs.delete(previous, true);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot overwrite --output " + output + ": " + e.getMessage(), e);
    }
  }

  private static void deleteQuietly(FileSystem fs, Path path) {
    try {
      fs.delete(path, true);
    } catch (IOException e) {
      // best effort: a hidden leftover directory does not change what readers of the output see
    }
  }
}
