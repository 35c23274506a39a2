package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestRows;

/**
 * {@code kluespark embed} end to end on every input format: all rows come out, input columns unchanged and in
 * order, and each text gets the same vector whatever file it was read from.
 */
class EmbedFormatsTest {
  private static final int MINILM_HIDDEN = 384;

  @TempDir
  static Path tmp;

  private static SparkSession spark;
  /** Each distinct text's vector, from the stage applied to an in-memory DataFrame. */
  private static Map<String, float[]> reference;

  @BeforeAll
  static void embedReference() {
    spark = SparkTestSession.get();
    Dataset<Row> texts = spark.createDataset(Sentences.nonNullTexts(), Encoders.STRING()).toDF("text");
    reference = new HashMap<>();
    for (Row row : new TextEmbedder().setModelPath("minilm").transform(texts).collectAsList()) {
      reference.put(row.getString(0), TestRows.vector(row, "pooled_output"));
    }
  }

  @ParameterizedTest
  @EnumSource(InputFormat.class)
  void embedsEveryRowOfEachFormat(InputFormat format) throws Exception {
    Path input = tmp.resolve("sentences-" + format.optionValue() + extension(format));
    Sentences.write(format, input, spark);
    Path output = tmp.resolve("embedded-" + format.optionValue());

    List<String> args = new java.util.ArrayList<>(List.of("embed", "--model", "minilm", "--input", input.toString(),
        "--output", output.toString(), "--master", "local[2]", "--progress-interval", "0"));
    if (format == InputFormat.DELTA) { // a Delta directory has no extension to infer it from
      args.addAll(List.of("--format", "delta"));
    }
    CliRun run = CliRun.of(args.toArray(String[]::new));

    List<Sentences.Sentence> expected = Sentences.rowsFor(format);
    assertThat(run.exitCode()).as(run.printed()).isZero();
    assertThat(run.out()).contains("kluespark: embedded " + expected.size() + " rows in ").contains("-> " + output);
    long nulls = expected.stream().filter(sentence -> Sentences.textAsRead(format, sentence) == null).count();
    assertThat(run.out()).as("the stage's counters are printed")
        .contains("kluespark: " + expected.size() + " rows (" + nulls + " null), 0 truncated at maxSeqLength (0.0%)")
        .containsPattern("padding efficiency \\d+\\.\\d%");
    assertOutput(format, output, expected);
  }

  @Test
  void sparkDirectoryWithoutExtensionNeedsFormatAndThenWorks() throws Exception {
    Path input = tmp.resolve("parquet-without-extension");
    Sentences.write(InputFormat.PARQUET, input, spark);
    Path output = tmp.resolve("embedded-directory");

    CliRun inferred = CliRun.of("embed", "--model", "minilm", "--input", input.toString(),
        "--output", output.toString(), "--master", "local[2]");
    assertThat(inferred.exitCode()).as(inferred.printed()).isEqualTo(2);
    assertThat(inferred.err()).contains("is a directory")
        .contains("give --format parquet|csv|json|jsonl|text|orc|delta");

    CliRun given = CliRun.of("embed", "--model", "minilm", "--input", input.toString(), "--format", "parquet",
        "--output", output.toString(), "--master", "local[2]", "--show", "2", "--progress-interval", "0.05",
        "--conf", repoRoot().resolve("conf/kluespark-defaults.properties").toString());
    assertThat(given.exitCode()).as(given.printed()).isZero();
    assertThat(given.out()).contains("| pooled_output=[").contains("(384)");
    assertOutput(InputFormat.PARQUET, output, Sentences.ALL);
  }

  private static void assertOutput(InputFormat format, Path output, List<Sentences.Sentence> expected) {
    Dataset<Row> written = spark.read().parquet(output.toString());
    List<String> inputColumns = Sentences.columnsFor(format);
    assertThat(Arrays.asList(written.columns()))
        .containsExactlyElementsOf(concat(inputColumns, "pooled_output"));

    List<Row> rows = written.collectAsList();
    assertThat(rows).hasSize(expected.size());
    for (Row row : rows) {
      String text = format == InputFormat.TEXT ? row.getString(row.fieldIndex("value")) : row.getAs("text");
      if (format != InputFormat.TEXT) {
        Sentences.Sentence source = byId(expected, Long.parseLong(String.valueOf(row.get(row.fieldIndex("id")))));
        assertThat(text).as("text of row %d", source.id()).isEqualTo(Sentences.textAsRead(format, source));
        assertThat((String) row.getAs("lang")).isEqualTo(source.lang());
      }
      float[] vector = TestRows.vector(row, "pooled_output");
      if (text == null) {
        assertThat(vector).as("a null text gives a null vector").isNull();
        continue;
      }
      assertThat(vector).as("vector of '%s'", text).hasSize(MINILM_HIDDEN);
      assertThat(TestRows.maxAbsDiff(vector, reference.get(text))).as("'%s' vs the reference", text)
          .isLessThanOrEqualTo(1e-6);
    }
    if (format == InputFormat.TEXT) {
      assertThat(rows.stream().map(r -> r.getString(0)).toList())
          .containsExactlyInAnyOrderElementsOf(expected.stream().map(Sentences.Sentence::text).toList());
    }
  }

  private static Sentences.Sentence byId(List<Sentences.Sentence> sentences, long id) {
    return sentences.stream().filter(s -> s.id() == id).findFirst().orElseThrow();
  }

  private static List<String> concat(List<String> columns, String last) {
    List<String> all = new java.util.ArrayList<>(columns);
    all.add(last);
    return all;
  }

  private static String extension(InputFormat format) {
    if (format == InputFormat.DELTA) {
      return "";
    }
    return format == InputFormat.TEXT ? ".txt" : "." + format.optionValue();
  }

  static Path repoRoot() {
    String root = System.getProperty("kluespark.repo.root");
    return root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
  }
}
