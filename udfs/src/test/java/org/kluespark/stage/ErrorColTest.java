package org.kluespark.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.metrics.EmbeddingMetrics;
import org.kluespark.model.ModelBundle;
import org.kluespark.testing.OnnxFixtures;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;
import org.kluespark.tokenize.TextTokenizer;
import scala.collection.JavaConverters;

/**
 * Rows the model fails on, through Spark: MiniLM edited to fail on every batch holding the token "boom"
 * ({@link OnnxFixtures#failingOnToken}). With errorCol such rows keep null outputs and the reason; without it
 * the task fails naming the row's partition and index.
 */
class ErrorColTest {
  private static final String ORT_GATHER_ERROR = "indices element out of data bounds";

  @TempDir
  static Path tmp;

  private static SparkSession spark;
  private static Path failingBundle;
  private static final StructType SCHEMA = new StructType().add("id", DataTypes.IntegerType)
      .add("text", DataTypes.StringType);

  @BeforeAll
  static void bundle() throws IOException {
    spark = SparkTestSession.get();
    long boom;
    try (TextTokenizer tokenizer = TextTokenizer.fromJson(TestModels.minilm().tokenizerBytes(), 16)) {
      long[] ids = tokenizer.encode("boom", null).ids();
      assertThat(ids).as("boom is one word piece").hasSize(3);
      boom = ids[1];
    }
    failingBundle = Files.createDirectories(tmp.resolve("fails-on-boom"));
    Files.write(failingBundle.resolve(ModelBundle.MODEL_FILE),
        OnnxFixtures.failingOnToken(TestModels.minilm().modelBytes(), boom));
    for (String file : new String[] {ModelBundle.TOKENIZER_FILE, ModelBundle.CONFIG_FILE}) {
      Files.copy(TestModels.minilmDir().resolve(file), failingBundle.resolve(file));
    }
  }

  private static Dataset<Row> rows(Object... texts) {
    List<Row> rows = new java.util.ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      rows.add(RowFactory.create(i, texts[i]));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }

  private static TextEmbedder failing() {
    return new TextEmbedder().setModelPath(failingBundle.toString()).setPooling("mean");
  }

  @Test
  void withErrorColBadRowsKeepNullOutputsAndTheReasonAndTheOthersAreEmbedded() {
    Dataset<Row> input = rows("a fine sentence", "boom goes the dynamite", null, "another good row", "boom", "")
        .coalesce(1);
    TextEmbedder stage = failing().setErrorCol("embed_error").setBatchSize(4);
    AtomicReference<EmbeddingMetrics> metrics = new AtomicReference<>(EmbeddingMetrics.ZERO);
    List<Row> out = collectCounting(stage.transform(input), metrics);
    List<Row> plain = new TextEmbedder().setModelPath(TestModels.minilmDir().toString()).setPooling("mean")
        .transform(input).collectAsList();

    assertThat(stage.transform(input).schema().last().toString())
        .isEqualTo("StructField(embed_error,StringType,true)");
    assertThat(out).extracting(r -> r.getInt(0)).containsExactly(0, 1, 2, 3, 4, 5);
    for (int i : new int[] {1, 4}) {
      Row row = out.get(i);
      assertThat(row.isNullAt(2)).as("row %d pooled_output", i).isTrue();
      int tokens = i == 1 ? 6 : 3;
      assertThat(row.getString(3)).as("row %d reason", i)
          .startsWith("the model failed on this row alone (" + tokens + " tokens): ")
          .contains(ORT_GATHER_ERROR);
    }
    assertThat(out.get(2).isNullAt(2)).as("null text: null outputs").isTrue();
    assertThat(out.get(2).isNullAt(3)).as("a null text is not an error").isTrue();
    for (int i : new int[] {0, 3, 5}) {
      assertThat(out.get(i).isNullAt(3)).as("row %d has no error", i).isTrue();
      assertThat(TestRows.maxAbsDiff(TestRows.vector(out.get(i), "pooled_output"),
          TestRows.vector(plain.get(i), "pooled_output"))).as("row %d as without failures", i).isLessThan(1e-5);
    }
    assertThat(metrics.get().rows()).isEqualTo(6);
    assertThat(metrics.get().nullRows()).isEqualTo(1);
    assertThat(metrics.get().failedRows()).isEqualTo(2);
    assertThat(metrics.get().summary()).endsWith(", 2 row(s) failed (null outputs, reason in errorCol)");
  }

  @Test
  void withoutErrorColTheTaskFailsNamingPartitionRowAndReason() {
    // Two partitions of a local relation: rows 0-2 and 3-5; "boom" is row 1 of partition 1.
    Dataset<Row> input = rows("one", "two", "three", "four", "boom", "six");
    assertThat(input.rdd().getNumPartitions()).isEqualTo(2);
    Dataset<Row> out = failing().transform(input);
    assertThatThrownBy(out::collectAsList)
        .hasStackTraceContaining("Row 1 of partition 1 (column `text`) cannot be embedded: the model failed on "
            + "this row alone (3 tokens): ")
        .hasStackTraceContaining(ORT_GATHER_ERROR)
        .hasStackTraceContaining("Set errorCol (kluespark embed --error-col COL) to keep such rows with null "
            + "outputs and the reason in that column.");
  }

  @Test
  void windowsTokenizedAheadKeepRowIndicesOrderAndReasons() {
    // Windows of 2 rows: each window is tokenized on another thread while the previous one runs.
    Dataset<Row> input = rows("zero", "one", "two", "three", "four", "five", "boom", "seven", "eight").coalesce(1);
    assertThatThrownBy(failing().setWindowSize(2).transform(input)::collectAsList)
        .hasStackTraceContaining("Row 6 of partition 0 (column `text`) cannot be embedded: the model failed on "
            + "this row alone (3 tokens): ");
    List<Row> kept = failing().setWindowSize(2).setErrorCol("why").transform(input).collectAsList();
    assertThat(kept).extracting(r -> r.getInt(0)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
    for (int i = 0; i < kept.size(); i++) {
      assertThat(kept.get(i).isNullAt(3)).as("row %d has an error", i).isEqualTo(i != 6);
    }
    List<Row> oneWindow = new TextEmbedder().setModelPath(TestModels.minilmDir().toString()).setPooling("mean")
        .transform(input).collectAsList();
    for (int i : new int[] {0, 5, 8}) {
      assertThat(TestRows.maxAbsDiff(TestRows.vector(kept.get(i), "pooled_output"),
          TestRows.vector(oneWindow.get(i), "pooled_output"))).as("row %d", i).isLessThan(1e-5);
    }
  }

  @Test
  void rowsWithoutFailuresGetANullErrorColumn() {
    List<Row> out = new TextEmbedder().setModelPath(TestModels.minilmDir().toString()).setErrorCol("why")
        .setSequenceOutputCol("seq").transform(rows("hello", null)).collectAsList();
    assertThat(out.get(0).schema().fieldNames()).containsExactly("id", "text", "pooled_output", "seq", "why");
    assertThat(out.get(0).isNullAt(4)).isTrue();
    assertThat(out.get(0).isNullAt(2)).isFalse();
    assertThat(out.get(1).isNullAt(2)).isTrue();
    assertThat(out.get(1).isNullAt(4)).isTrue();
  }

  @Test
  void errorColMustBeANewColumn() {
    TextEmbedder stage = new TextEmbedder().setModelPath(TestModels.minilmDir().toString());
    assertThatThrownBy(() -> stage.setErrorCol("text").transformSchema(SCHEMA))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("errorCol: output column `text` already exists; choose another name or drop the column first.");
    assertThatThrownBy(() -> stage.setErrorCol("pooled_output").transformSchema(SCHEMA))
        .hasMessage("errorCol and pooledOutputCol are both `pooled_output`; give them different names.");
    assertThatThrownBy(() -> new TextEmbedder().setErrorCol(""))
        .hasMessage("Invalid errorCol (must not be empty): ");
  }

  @Test
  void errorColSurvivesSaveAndLoad() throws IOException {
    Path saved = tmp.resolve("saved-stage");
    new TextEmbedder().setModelPath(TestModels.minilmDir().toString()).setErrorCol("why").write().save(saved.toString());
    assertThat(TextEmbedder.load(saved.toString()).getErrorCol()).isEqualTo("why");
  }

  static List<Row> collectCounting(Dataset<Row> frame, AtomicReference<EmbeddingMetrics> total) {
    SparkListener listener = new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
        if (taskEnd.taskInfo().successful()) {
          total.accumulateAndGet(EmbeddingMetrics.fromTaskAccumulables(
              JavaConverters.seqAsJavaList(taskEnd.taskInfo().accumulables())), EmbeddingMetrics::plus);
        }
      }
    };
    SparkTestSession.get().sparkContext().addSparkListener(listener);
    try {
      List<Row> rows = frame.collectAsList();
      SparkTestSession.get().sparkContext().listenerBus().waitUntilEmpty(60_000);
      return rows;
    } catch (TimeoutException e) {
      throw new AssertionError(e);
    } finally {
      SparkTestSession.get().sparkContext().removeSparkListener(listener);
    }
  }
}
