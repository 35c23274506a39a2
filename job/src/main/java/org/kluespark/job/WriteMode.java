package org.kluespark.job;

import org.apache.spark.sql.SaveMode;
import org.kluespark.params.ParamEnum;

/**
 * What --mode allows. Append adds the run's rows to an existing output with the same columns; running the same
 * append twice gives every row twice (incremental runs are what avoids that).
 */
enum WriteMode {
  ERRORIFEXISTS(SaveMode.ErrorIfExists),
  OVERWRITE(SaveMode.Overwrite),
  APPEND(SaveMode.Append);

  private final SaveMode saveMode;

  WriteMode(SaveMode saveMode) {
    this.saveMode = saveMode;
  }

  SaveMode saveMode() {
    return saveMode;
  }

  static WriteMode parse(String value) {
    return ParamEnum.parse(WriteMode.class, "--mode", value);
  }
}
