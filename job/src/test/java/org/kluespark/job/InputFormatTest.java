package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InputFormatTest {
  @Test
  void formatFromExtension() {
    assertThat(InputFormat.fromExtension("datasets/klue-sts-sample.jsonl")).isEqualTo(InputFormat.JSONL);
    assertThat(InputFormat.fromExtension("s3a://bucket/dev.NDJSON")).isEqualTo(InputFormat.JSONL);
    assertThat(InputFormat.fromExtension("klue-sts-v1.1_dev.json")).isEqualTo(InputFormat.JSON);
    assertThat(InputFormat.fromExtension("ynat.csv")).isEqualTo(InputFormat.CSV);
    assertThat(InputFormat.fromExtension("corpus.txt")).isEqualTo(InputFormat.TEXT);
    assertThat(InputFormat.fromExtension("hdfs:///out/embeddings.parquet/")).isEqualTo(InputFormat.PARQUET);
    assertThat(InputFormat.fromExtension("table.orc")).isEqualTo(InputFormat.ORC);
    assertThat(InputFormat.fromExtension("data/part-00000")).isNull();
    assertThat(InputFormat.fromExtension("lake/embeddings.delta")).as("Delta is never inferred").isNull();
  }

  @Test
  void givenFormatWins() {
    assertThat(InputFormat.resolve(InputFormat.CSV, "export.txt", false)).isEqualTo(InputFormat.CSV);
  }

  @Test
  void directoryWithoutExtensionNeedsFormat() {
    assertThatThrownBy(() -> InputFormat.resolve(null, "data/klue", true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--input data/klue is a directory, so its format cannot be inferred from an extension; "
            + "give --format parquet|csv|json|jsonl|text|orc|delta.");
  }

  @Test
  void textDefaultsToTheValueColumn() {
    assertThat(InputFormat.TEXT.defaultTextColumn()).isEqualTo("value");
    assertThat(InputFormat.JSONL.defaultTextColumn()).isEqualTo("text");
  }

  @Test
  void parseIsCaseInsensitiveAndNamesTheChoices() {
    assertThat(InputFormat.parse("JSONL")).isEqualTo(InputFormat.JSONL);
    assertThatThrownBy(() -> InputFormat.parse("tsv"))
        .hasMessage("Invalid --format 'tsv', expected one of [parquet, csv, json, jsonl, text, orc, delta]");
  }
}
