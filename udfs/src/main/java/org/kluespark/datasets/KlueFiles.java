package org.kluespark.datasets;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/** The driver side of a load: checks the path exists, then parses every file it names on the executors. */
final class KlueFiles {
  private KlueFiles() {}

  /**
   * @param path a file, a directory (every file in it) or a glob, on any Hadoop FileSystem
   * @param task the task's name for messages, e.g. {@code "NER"}
   */
  static Dataset<Row> load(SparkSession spark, String path, String task, KlueFileParser parser, StructType schema) {
    requireExisting(spark, path, task);
    JavaRDD<Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .binaryFiles(path)
        .flatMap(new ParseEachFile(parser));
    return spark.createDataFrame(rows, schema);
  }

  // binaryFiles would only fail at the first action, with Hadoop's wording; say it now and name the task.
  private static void requireExisting(SparkSession spark, String path, String task) {
    if (path == null || path.isBlank()) {
      throw new IllegalArgumentException("No path given for the KLUE " + task + " file.");
    }
    Path hadoopPath = new Path(path);
    FileStatus[] found;
    try {
      FileSystem fs = hadoopPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
      found = fs.globStatus(hadoopPath);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot look up the KLUE " + task + " file " + path + ": " + e.getMessage(), e);
    }
    if (found == null || found.length == 0) {
      throw new IllegalArgumentException("No KLUE " + task + " file at " + path + " (nothing matches it); give a file,"
          + " a directory or a glob. datasets/README.md says where to get KLUE.");
    }
  }
}
