package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class InputSourceTest {
  @Test
  void exactlyOneOfPathAndTable() {
    assertThatThrownBy(() -> InputSource.of("a.jsonl", "db.t", null))
        .hasMessage("Give --input PATH or --input-table NAME, not both.");
    assertThatThrownBy(() -> InputSource.of(null, null, null))
        .hasMessage("Missing input: give --input PATH or --input-table NAME.");
    assertThatThrownBy(() -> InputSource.of(null, "db.t", InputFormat.CSV))
        .hasMessage("--format csv applies to --input paths; --input-table db.t is read in its own format, so drop "
            + "--format.");
  }

  @Test
  void embedOptionsSpellTheFormatOnlyWhenTheExtensionWouldNot() {
    assertThat(InputSource.of("in/klue.jsonl", null, null).embedOptions(InputFormat.JSONL))
        .containsExactly("--input", "in/klue.jsonl");
    assertThat(InputSource.of("in/part-0", null, InputFormat.PARQUET).embedOptions(InputFormat.PARQUET))
        .containsExactly("--input", "in/part-0", "--format", "parquet");
    assertThat(InputSource.of(null, "db.docs", null).embedOptions(null)).isEqualTo(List.of("--input-table", "db.docs"));
  }

  @Test
  void aTableEmbedsTheTextColumnByDefault() {
    assertThat(new InputSource.Opened(null, null, List.of()).defaultTextColumn()).isEqualTo("text");
    assertThat(new InputSource.Opened(null, InputFormat.TEXT, List.of()).defaultTextColumn()).isEqualTo("value");
  }
}
