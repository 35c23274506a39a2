package org.kluespark.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * Turns one whole KLUE file into rows of its task's schema. Runs on the executors, one file per call (KLUE's
 * JSON arrays and blank-line separated TSV files cannot be split at arbitrary byte offsets, exactly as Spark's
 * own {@code multiLine} JSON reader reads a file per task). Errors are {@link KlueFormatException}s naming
 * {@code file} and the line.
 */
interface KlueFileParser extends Serializable {

  /** @param file the file's name for messages; {@code in} is closed by the caller */
  List<Row> parse(String file, InputStream in) throws IOException;
}
