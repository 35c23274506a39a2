package org.kluespark.datasets;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads KLUE's JSON files, a JSON array of records ({@code klue-sts-v1.1_dev.json}) or one record per line
 * (JSON Lines, as {@code datasets/*.jsonl}), into rows of a fixed schema with Jackson's streaming parser.
 *
 * <p>Why not Spark's JSON reader: with {@code multiLine} it too reads a whole file per task, and in FAILFAST mode
 * it reports neither the file nor the line, and it turns a mistyped value (a score written as {@code "high"})
 * into null or a failure without a location. Here every value is checked against the schema where it stands:
 * errors name the file, the line and the field. Fields the schema does not list are skipped; {@code required}
 * fields must be present and non-null.
 */
final class JsonRecordParser implements KlueFileParser {
  private static final long serialVersionUID = 1L;
  private static final JsonFactory JSON = new JsonFactory();

  private final String task;
  private final StructType schema;
  private final List<String> required;

  /**
   * @param task the task's name for messages, e.g. {@code "STS"}
   * @param schema the record's fields (string, int, long, double, boolean, arrays and structs of them)
   * @param required top-level fields every record must have
   */
  JsonRecordParser(String task, StructType schema, List<String> required) {
    this.task = task;
    this.schema = schema;
    this.required = List.copyOf(required);
    schema.apply("guid"); // every KLUE record has one; messages name it
    for (String name : required) {
      schema.apply(name); // fails now, not on an executor, when the list names a field the schema lacks
    }
  }

  @Override
  public List<Row> parse(String file, InputStream in) throws IOException {
    List<Row> rows = new ArrayList<>();
    try (JsonParser parser = JSON.createParser(in)) {
      Reader reader = new Reader(file, parser);
      JsonToken first = parser.nextToken();
      if (first == JsonToken.START_ARRAY) {
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          rows.add(reader.record());
        }
        if (parser.nextToken() != null) {
          throw reader.error("more content after the closing ']' of the array of records");
        }
      } else if (first == JsonToken.START_OBJECT) {
        do {
          rows.add(reader.record());
        } while (parser.nextToken() != null);
      } else if (first != null) {
        throw reader.error("expected a JSON array of KLUE " + task + " records, or one record per line, but the file"
            + " starts with " + Reader.describe(parser));
      }
    } catch (JsonProcessingException e) {
      long line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new KlueFormatException(file, line, "invalid JSON: " + e.getOriginalMessage());
    }
    return rows;
  }

  /** One file's parser and where it is, for messages. */
  private final class Reader {
    private final String file;
    private final JsonParser parser;

    Reader(String file, JsonParser parser) {
      this.file = file;
      this.parser = parser;
    }

    /** The record at the current START_OBJECT token. */
    Row record() throws IOException {
      if (parser.currentToken() != JsonToken.START_OBJECT) {
        throw error("expected a KLUE " + task + " record (a JSON object) but found " + describe(parser));
      }
      long start = parser.currentTokenLocation().getLineNr();
      Object[] values = struct(schema, "");
      for (String name : required) {
        if (values[schema.fieldIndex(name)] == null) {
          String guid = values[schema.fieldIndex("guid")] instanceof String id ? " " + id : "";
          throw new KlueFormatException(file, start, "the record" + guid + " has no \"" + name + "\"; every KLUE "
              + task + " record needs " + String.join(", ", required.stream().map(f -> "\"" + f + "\"").toList()));
        }
      }
      return RowFactory.create(values);
    }

    /** The fields of the object at the current START_OBJECT token, in {@code type}'s order. */
    private Object[] struct(StructType type, String prefix) throws IOException {
      StructField[] fields = type.fields();
      Object[] values = new Object[fields.length];
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        parser.nextToken();
        int index = indexOf(fields, name);
        if (index < 0) {
          parser.skipChildren();
        } else {
          values[index] = value(fields[index].dataType(), prefix + name);
        }
      }
      return values;
    }

    private Object value(DataType type, String field) throws IOException {
      JsonToken token = parser.currentToken();
      if (token == JsonToken.VALUE_NULL) {
        return null;
      }
      if (type instanceof StructType struct) {
        expect(token == JsonToken.START_OBJECT, field, "an object");
        return RowFactory.create(struct(struct, field + "."));
      }
      if (type instanceof ArrayType array) {
        expect(token == JsonToken.START_ARRAY, field, "an array");
        List<Object> elements = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          elements.add(value(array.elementType(), field + "[" + elements.size() + "]"));
        }
        return elements.toArray(); // Spark's Row encoder takes arrays and Scala Seqs, not java.util.List
      }
      if (type.equals(DataTypes.StringType)) {
        expect(token.isScalarValue(), field, "a string");
        return parser.getText();
      }
      if (type.equals(DataTypes.DoubleType)) {
        expect(token.isNumeric(), field, "a number");
        return parser.getDoubleValue();
      }
      if (type.equals(DataTypes.IntegerType)) {
        expect(token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() == JsonParser.NumberType.INT, field,
            "an integer");
        return parser.getIntValue();
      }
      if (type.equals(DataTypes.LongType)) {
        expect(token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER,
            field, "an integer");
        return parser.getLongValue();
      }
      if (type.equals(DataTypes.BooleanType)) {
        expect(token.isBoolean(), field, "true or false");
        return parser.getBooleanValue();
      }
      throw new IllegalStateException("JsonRecordParser does not read " + type + " (field " + field + ")");
    }

    private void expect(boolean ok, String field, String what) throws IOException {
      if (!ok) {
        throw error("\"" + field + "\" should be " + what + " but is " + describe(parser));
      }
    }

    KlueFormatException error(String problem) {
      return new KlueFormatException(file, parser.currentTokenLocation().getLineNr(), problem);
    }

    static String describe(JsonParser parser) throws IOException {
      JsonToken token = parser.currentToken();
      if (token == null) {
        return "the end of the file";
      }
      return switch (token) {
        case START_OBJECT -> "an object";
        case START_ARRAY -> "an array";
        case VALUE_STRING -> "the string " + quote(parser.getText());
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + parser.getText();
        case VALUE_TRUE, VALUE_FALSE -> parser.getText();
        default -> token.asString() == null ? token.name() : token.asString();
      };
    }

    private static String quote(String text) {
      String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
      return "\"" + shown + "\"";
    }

    private static int indexOf(StructField[] fields, String name) {
      for (int i = 0; i < fields.length; i++) {
        if (fields[i].name().equals(name)) {
          return i;
        }
      }
      return -1;
    }
  }
}
