package org.kluespark.job;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A small Korean + English corpus, written as input files in every format the CLI reads. Row 5 has a null text,
 * row 6 an empty one, row 7 a newline, comma and quotes inside (CSV quoting, multi-line records).
 */
final class Sentences {
  record Sentence(long id, String text, String lang) {}

  static final List<Sentence> ALL = List.of(
      new Sentence(1, "오늘 날씨가 정말 좋네요.", "ko"),
      new Sentence(2, "The weather is really nice today.", "en"),
      new Sentence(3, "숙소 위치는 찾기 쉽고 일반적인 한국의 반지하 숙소입니다.", "ko"),
      new Sentence(4, "He said \"hello, world\" and left.", "en"),
      new Sentence(5, null, "en"),
      new Sentence(6, "", "ko"),
      new Sentence(7, "첫 줄입니다,\n그리고 \"둘째\" 줄입니다.", "ko"));

  static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.LongType)
      .add("text", DataTypes.StringType)
      .add("lang", DataTypes.StringType);

  private Sentences() {}

  /** The rows a format can hold: plain text has no nulls and no multi-line records. */
  static List<Sentence> rowsFor(InputFormat format) {
    if (format != InputFormat.TEXT) {
      return ALL;
    }
    return ALL.stream().filter(s -> s.text() != null && !s.text().contains("\n")).toList();
  }

  /**
   * The text the CLI reads back for {@code s}: Spark's CSV reader turns an empty field into null even when quoted
   * ({@code ""}), since its null marker is the empty string.
   */
  static String textAsRead(InputFormat format, Sentence s) {
    return format == InputFormat.CSV && "".equals(s.text()) ? null : s.text();
  }

  /** The input's columns as the CLI sees them (Spark's JSON reader sorts inferred fields by name). */
  static List<String> columnsFor(InputFormat format) {
    return switch (format) {
      case TEXT -> List.of("value");
      case JSON, JSONL -> List.of("id", "lang", "text");
      default -> List.of("id", "text", "lang");
    };
  }

  static List<String> nonNullTexts() {
    return ALL.stream().map(Sentence::text).filter(t -> t != null).distinct().toList();
  }

  /** Writes the corpus at {@code path} in {@code format}; Parquet, ORC and Delta as a one-file Spark directory. */
  static void write(InputFormat format, Path path, SparkSession spark) throws IOException {
    switch (format) {
      case PARQUET -> dataFrame(spark).coalesce(1).write().parquet(path.toString());
      case ORC -> dataFrame(spark).coalesce(1).write().orc(path.toString());
      case DELTA -> dataFrame(spark).coalesce(1).write().format("delta").save(path.toString());
      case CSV -> Files.writeString(path, csv(), StandardCharsets.UTF_8);
      case JSON -> Files.writeString(path, "[\n" + ALL.stream().map(Sentences::json)
          .collect(Collectors.joining(",\n")) + "\n]\n", StandardCharsets.UTF_8);
      case JSONL -> Files.writeString(path, ALL.stream().map(Sentences::json)
          .collect(Collectors.joining("\n", "", "\n")), StandardCharsets.UTF_8);
      case TEXT -> Files.writeString(path, rowsFor(InputFormat.TEXT).stream().map(Sentence::text)
          .collect(Collectors.joining("\n", "", "\n")), StandardCharsets.UTF_8);
    }
  }

  static Dataset<Row> dataFrame(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (Sentence s : ALL) {
      rows.add(RowFactory.create(s.id(), s.text(), s.lang()));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }

  // Quoted fields with doubled quotes; an empty field for null.
  private static String csv() {
    StringBuilder csv = new StringBuilder("id,text,lang\n");
    for (Sentence s : ALL) {
      String text = s.text() == null ? "" : '"' + s.text().replace("\"", "\"\"") + '"';
      csv.append(s.id()).append(',').append(text).append(',').append(s.lang()).append('\n');
    }
    return csv.toString();
  }

  private static String json(Sentence s) {
    return "{\"id\": " + s.id() + ", \"text\": " + jsonString(s.text()) + ", \"lang\": " + jsonString(s.lang()) + "}";
  }

  private static String jsonString(String value) {
    if (value == null) {
      return "null";
    }
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
  }
}
