package org.kluespark.job;

import org.kluespark.params.ParamEnum;

/** What --output-format allows: the data source a path or table is written with. */
enum OutputFormat {
  PARQUET,
  DELTA;

  static OutputFormat parse(String value) {
    return ParamEnum.parse(OutputFormat.class, "--output-format", value);
  }

  /** The name DataFrameWriter.format takes, also the provider DESCRIBE TABLE shows. */
  String source() {
    return ParamEnum.valueOf(this);
  }
}
