package org.kluespark.job;

import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.kluespark.params.ParamEnum;

/** The input formats of {@code embed} (--input paths), how each is read, and which extensions imply it. */
enum InputFormat {
  PARQUET(List.of(".parquet")),
  // Quoted fields may span lines (KLUE texts contain newlines); quotes inside fields are doubled ("").
  // No schema inference: every column stays a string, so a text column of digits is still embeddable.
  CSV(List.of(".csv")),
  // KLUE's .json files are one JSON array of records, which only multiLine mode reads.
  JSON(List.of(".json")),
  JSONL(List.of(".jsonl", ".ndjson")),
  // One row per line, in a single column `value`.
  TEXT(List.of(".txt")),
  ORC(List.of(".orc")),
  // A Delta table's directory (its current version); never inferred: give --format delta.
  DELTA(List.of());

  static final String TEXT_SOURCE_COLUMN = "value";
  static final String DEFAULT_TEXT_COLUMN = "text";

  private final List<String> extensions;

  InputFormat(List<String> extensions) {
    this.extensions = extensions;
  }

  static InputFormat parse(String value) {
    return ParamEnum.parse(InputFormat.class, "--format", value);
  }

  String optionValue() {
    return ParamEnum.valueOf(this);
  }

  /** The column embedded when --text-col is not given. */
  String defaultTextColumn() {
    return this == TEXT ? TEXT_SOURCE_COLUMN : DEFAULT_TEXT_COLUMN;
  }

  Dataset<Row> read(SparkSession spark, String path) {
    DataFrameReader reader = spark.read();
    return switch (this) {
      case PARQUET -> reader.parquet(path);
      case CSV -> reader.option("header", "true").option("multiLine", "true").option("escape", "\"").csv(path);
      case JSON -> reader.option("multiLine", "true").json(path);
      case JSONL -> reader.json(path);
      case TEXT -> reader.text(path);
      case ORC -> reader.orc(path);
      case DELTA -> reader.format("delta").load(path);
    };
  }

  /**
   * The --format given, else the one the input's extension implies (a Spark output directory named
   * {@code x.parquet} counts). Fails with what to pass when neither says.
   */
  static InputFormat resolve(InputFormat given, String input, boolean isDirectory) {
    if (given != null) {
      return given;
    }
    InputFormat inferred = fromExtension(input);
    if (inferred != null) {
      return inferred;
    }
    String choices = String.join("|", ParamEnum.values(InputFormat.class));
    if (isDirectory) {
      throw new IllegalArgumentException("--input " + input + " is a directory, so its format cannot be inferred "
          + "from an extension; give --format " + choices + ".");
    }
    throw new IllegalArgumentException("Cannot infer the format of --input " + input + " from its extension "
        + "(known: .parquet, .csv, .json, .jsonl, .ndjson, .txt, .orc); give --format " + choices + ".");
  }

  static InputFormat fromExtension(String path) {
    String name = path.toLowerCase(Locale.ROOT);
    while (name.endsWith("/")) {
      name = name.substring(0, name.length() - 1);
    }
    for (InputFormat format : values()) {
      for (String extension : format.extensions) {
        if (name.endsWith(extension)) {
          return format;
        }
      }
    }
    return null;
  }
}
