package org.kluespark.job;

import org.apache.spark.sql.SaveMode;
import org.kluespark.params.ParamEnum;

/** What --mode allows. Append is left out on purpose: re-running a job would silently duplicate rows. */
enum WriteMode {
  ERRORIFEXISTS(SaveMode.ErrorIfExists),
  OVERWRITE(SaveMode.Overwrite);

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
