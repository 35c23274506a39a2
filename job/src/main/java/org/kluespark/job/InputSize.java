package org.kluespark.job;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The total size of a file-based input, for a byte-based ETA; 0 when unknown (never fails a run). */
final class InputSize {
  private InputSize() {}

  static long bytes(Dataset<Row> input, Configuration hadoopConf) {
    long total = 0;
    try {
      for (String file : input.inputFiles()) {
        Path path = new Path(file);
        total += path.getFileSystem(hadoopConf).getFileStatus(path).getLen();
      }
      return total;
    } catch (IOException | RuntimeException e) {
      return 0; // progress only; the write will report any real problem with the input
    }
  }
}
