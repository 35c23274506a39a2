package org.kluespark.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** KLUE's JSON records without Spark: values, JSON Lines, and every kind of broken file with its exact message. */
class JsonRecordParserTest {
  private static final JsonRecordParser STS =
      new JsonRecordParser("STS", KlueSchemas.STS_RECORD, List.of("guid", "sentence1", "sentence2"));
  private static final JsonRecordParser RE =
      new JsonRecordParser("RE", KlueSchemas.RE, List.of("guid", "sentence", "subject_entity", "object_entity"));

  private static List<Row> parse(JsonRecordParser parser, String json) throws IOException {
    return parser.parse("f.json", new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void readsNestedValuesSkipsUnknownFieldsAndLeavesMissingOnesNull() throws IOException {
    List<Row> rows = parse(STS, "[{\"guid\": \"g1\", \"sentence1\": \"가\", \"sentence2\": \"나\", \"extra\": {\"a\": [1]},"
        + " \"labels\": {\"label\": 3, \"real-label\": 2.857142857142857, \"binary-label\": 0},"
        + " \"annotations\": {\"annotators\": [\"01\", 7], \"annotations\": [3, null]}}]");
    assertThat(rows).hasSize(1);
    Row row = rows.get(0);
    assertThat(row.getString(0)).isEqualTo("g1");
    assertThat(row.isNullAt(1)).isTrue(); // no "source"
    assertThat(row.getStruct(4).getDouble(0)).isEqualTo(3.0); // an integer where a double is expected is fine
    assertThat(row.getStruct(4).getDouble(1)).isEqualTo(2.857142857142857);
    assertThat(row.getStruct(4).getInt(2)).isZero();
    assertThat(row.getStruct(5).isNullAt(0)).isTrue();
    assertThat((Object[]) row.getStruct(5).get(1)).containsExactly("01", "7"); // scalars are read as strings
    assertThat((Object[]) row.getStruct(5).get(2)).containsExactly(3, null);
  }

  @Test
  void readsJsonLinesAndEmptyFiles() throws IOException {
    List<Row> rows = parse(STS, "{\"guid\": \"a\", \"sentence1\": \"x\", \"sentence2\": \"y\"}\n"
        + "{\"guid\": \"b\", \"sentence1\": \"x\", \"sentence2\": \"y\"}\n");
    assertThat(rows).extracting(row -> row.getString(0)).containsExactly("a", "b");
    assertThat(parse(STS, "")).isEmpty();
    assertThat(parse(STS, "[]")).isEmpty();
  }

  // The text after "invalid JSON: " is Jackson's (the version Spark ships); the file and line are ours.
  @Test
  void invalidJsonNamesTheLine() {
    assertThatThrownBy(() -> parse(STS, "[\n{\"guid\": \"a\",\n \"sentence1\": \"x\" \"sentence2\": \"y\"}\n]"))
        .isInstanceOf(KlueFormatException.class)
        .hasMessage("f.json, line 3: invalid JSON: Unexpected character ('\"' (code 34)): was expecting comma to"
            + " separate Object entries");
  }

  @Test
  void aTruncatedArrayNamesTheLastLine() {
    assertThatThrownBy(() -> parse(STS, "[\n{\"guid\": \"a\", \"sentence1\": \"x\", \"sentence2\": \"y\"},\n"))
        .isInstanceOf(KlueFormatException.class)
        .hasMessage("f.json, line 3: invalid JSON: Unexpected end-of-input within/between Array entries");
  }

  @Test
  void aMistypedValueNamesTheFieldAndLine() {
    assertThatThrownBy(() -> parse(RE, "[\n {\"guid\": \"r1\", \"sentence\": \"s\",\n"
        + "  \"subject_entity\": {\"word\": \"s\", \"start_idx\": \"0\", \"end_idx\": 0, \"type\": \"PER\"}}\n]"))
        .isInstanceOf(KlueFormatException.class)
        .hasMessage("f.json, line 3: \"subject_entity.start_idx\" should be an integer but is the string \"0\"");
    assertThatThrownBy(() -> parse(STS, "[{\"guid\": \"a\", \"annotations\": {\"annotations\": [5, 4.5]}}]"))
        .hasMessage("f.json, line 1: \"annotations.annotations[1]\" should be an integer but is the number 4.5");
    assertThatThrownBy(() -> parse(STS, "[{\"guid\": \"a\", \"labels\": [5]}]"))
        .hasMessage("f.json, line 1: \"labels\" should be an object but is an array");
    assertThatThrownBy(() -> parse(STS, "[{\"guid\": {\"id\": 1}}]"))
        .hasMessage("f.json, line 1: \"guid\" should be a string but is an object");
    assertThatThrownBy(() -> parse(STS, "[{\"guid\": \"a\", \"labels\": {\"binary-label\": 3000000000}}]"))
        .hasMessage("f.json, line 1: \"labels.binary-label\" should be an integer but is the number 3000000000");
  }

  @Test
  void aMissingRequiredFieldNamesTheRecordAndWhereItStarts() {
    assertThatThrownBy(() -> parse(STS, "[\n  {\"guid\": \"a\", \"sentence1\": \"x\", \"sentence2\": \"y\"},\n"
        + "  {\"guid\": \"klue-sts-7\",\n   \"sentence1\": \"x\",\n   \"sentence2\": null}\n]"))
        .isInstanceOf(KlueFormatException.class)
        .hasMessage("f.json, line 3: the record klue-sts-7 has no \"sentence2\"; every KLUE STS record needs"
            + " \"guid\", \"sentence1\", \"sentence2\"");
    assertThatThrownBy(() -> parse(STS, "[{\"sentence1\": \"x\", \"sentence2\": \"y\"}]"))
        .hasMessage("f.json, line 1: the record has no \"guid\"; every KLUE STS record needs \"guid\", \"sentence1\","
            + " \"sentence2\"");
  }

  @Test
  void somethingElseThanRecordsIsRefused() {
    assertThatThrownBy(() -> parse(STS, "\"klue\""))
        .hasMessage("f.json, line 1: expected a JSON array of KLUE STS records, or one record per line, but the file"
            + " starts with the string \"klue\"");
    assertThatThrownBy(() -> parse(STS, "[\n {\"guid\": \"a\", \"sentence1\": \"x\", \"sentence2\": \"y\"},\n [1]\n]"))
        .hasMessage("f.json, line 3: expected a KLUE STS record (a JSON object) but found an array");
    assertThatThrownBy(() -> parse(STS, "[]\n[]"))
        .hasMessage("f.json, line 2: more content after the closing ']' of the array of records");
  }

  @Test
  void aRequiredFieldTheSchemaLacksIsAProgrammingError() {
    assertThatThrownBy(() -> new JsonRecordParser("NLI", KlueSchemas.NLI, List.of("sentence1")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
