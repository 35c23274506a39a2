package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestRows;

/**
 * {@code kluespark embed} reuses repeated texts by default and prints how many rows were served by a copy;
 * {@code --no-reuse-duplicates} runs every row, with the same vectors to the bit.
 */
class EmbedDuplicatesTest {
  @TempDir
  static Path tmp;

  @Test
  void theSummaryCountsDuplicateRowsAndTheFlagTurnsReuseOff() throws Exception {
    Path input = tmp.resolve("repeats.jsonl");
    StringBuilder lines = new StringBuilder();
    String[] texts = {"\"오늘 날씨가 맑다\"", "\"hello world\"", "null", "\"오늘 날씨가 맑다\"", "\"hello world\"",
        "\"오늘 날씨가 맑다\"", "\"a third text\""};
    for (int i = 0; i < texts.length; i++) {
      lines.append("{\"id\": ").append(i).append(", \"text\": ").append(texts[i]).append("}\n");
    }
    Files.writeString(input, lines);

    CliRun reused = embed(input, "reused");
    CliRun eachRow = embed(input, "each-row", "--no-reuse-duplicates");

    assertThat(reused.exitCode()).as(reused.printed()).isZero();
    assertThat(eachRow.exitCode()).as(eachRow.printed()).isZero();
    assertThat(reused.out()).contains("kluespark: 7 rows (1 null)")
        .contains(", 3 duplicate row(s) served by a copy (not run)");
    assertThat(eachRow.out()).contains("kluespark: 7 rows (1 null)").doesNotContain("duplicate");
    List<Row> a = SparkTestSession.get().read().parquet(tmp.resolve("reused").toString()).collectAsList();
    List<Row> b = SparkTestSession.get().read().parquet(tmp.resolve("each-row").toString()).collectAsList();
    assertThat(a).hasSize(7);
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i).<Long>getAs("id")).isEqualTo((long) i);
      assertThat(TestRows.vector(a.get(i), "pooled_output")).as("row %d", i)
          .isEqualTo(TestRows.vector(b.get(i), "pooled_output"));
    }
  }

  private static CliRun embed(Path input, String output, String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("embed", "--model", "minilm", "--input", input.toString(),
        "--output", tmp.resolve(output).toString(), "--master", "local[2]", "--partitions", "1",
        "--progress-interval", "0"));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(new String[0]));
  }
}
