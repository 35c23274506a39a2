package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class InputSourceTest {
  @Test
  void exactlyOneOfPathAndTable() {
    assertThatThrownBy(() -> new InputSource("a.jsonl", null, "db.t"))
        .hasMessage("Give --input PATH or --input-table NAME, not both.");
    assertThatThrownBy(() -> new InputSource(null, null, null))
        .hasMessage("Missing input: give --input PATH or --input-table NAME.");
    assertThatThrownBy(() -> new InputSource(null, InputFormat.CSV, "db.t"))
        .hasMessage("--format applies to --input only; --input-table db.t is read in its own format.");
  }

  @Test
  void embedOptionsSpellTheFormatOnlyWhenTheExtensionWouldNot() {
    assertThat(new InputSource("in/klue.jsonl", null, null).embedOptions(InputFormat.JSONL))
        .containsExactly("--input", "in/klue.jsonl");
    assertThat(new InputSource("in/part-0", InputFormat.PARQUET, null).embedOptions(InputFormat.PARQUET))
        .containsExactly("--input", "in/part-0", "--format", "parquet");
    assertThat(new InputSource(null, null, "db.docs").embedOptions(null)).isEqualTo(List.of("--input-table", "db.docs"));
  }

  @Test
  void aTableEmbedsTheTextColumnByDefault() {
    assertThat(new InputSource.Read(null, null).defaultTextColumn()).isEqualTo("text");
    assertThat(new InputSource.Read(null, InputFormat.TEXT).defaultTextColumn()).isEqualTo("value");
  }
}
