package org.kluespark.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.testing.TestRows;

/**
 * 10,000 rows over 7 partitions with nulls, empty strings, duplicates and very long texts: every row
 * comes out exactly once, in input order, with its input columns untouched, and batching (sorting within
 * windows, padded batches of 64) gives the same vectors as one row at a time.
 */
class RowIntegrityTest {
  private static final int ROWS = 10_000;
  private static final int PARTITIONS = 7;

  private static SparkSession spark;
  private static List<Row> input;
  private static Dataset<Row> frame;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.get();
    List<String> sentences = ParityCorpus.samples().sentences();
    Random random = new Random(42);
    input = new ArrayList<>(ROWS);
    for (int i = 0; i < ROWS; i++) {
      String text = switch (i % 10) {
        case 0 -> null;
        case 1 -> "";
        case 2 -> "   ";
        case 3 -> String.join(" ", sentences).repeat(3); // far beyond 128 tokens: truncated
        case 4 -> sentences.get(0); // duplicates of one text
        default -> sentences.get(random.nextInt(sentences.size()));
      };
      input.add(RowFactory.create((long) i, text, i % 3 == 0 ? null : "meta-" + i, (double) i / 7));
    }
    StructType schema = new StructType()
        .add("id", DataTypes.LongType, false)
        .add("text", DataTypes.StringType)
        .add("meta", DataTypes.StringType)
        .add("score", DataTypes.DoubleType);
    // Slicing a local list keeps partition order = list order, so output order is checkable row by row.
    frame = spark.createDataFrame(input, schema).coalesce(1).repartitionByRange(PARTITIONS,
        org.apache.spark.sql.functions.col("id")).sortWithinPartitions("id");
  }

  private static TextEmbedder stage() {
    return new TextEmbedder().setModelPath(TestModels.minilmDir().toString()).setPooling("mean");
  }

  @Test
  void everyRowOnceInOrderWithInputColumnsUntouchedAndBatchingChangesNothing() {
    assertThat(frame.rdd().getNumPartitions()).isEqualTo(PARTITIONS);
    List<Row> batched = stage().setBatchSize(64).setWindowSize(512).transform(frame).collectAsList();
    List<Row> oneByOne = stage().setBatchSize(1).setWindowSize(1).transform(frame).collectAsList();

    assertThat(batched).hasSize(ROWS);
    assertThat(oneByOne).hasSize(ROWS);
    double maxDiff = 0;
    int nulls = 0;
    for (int i = 0; i < ROWS; i++) {
      Row in = input.get(i);
      Row out = batched.get(i);
      assertThat(out.getLong(0)).as("row %d in order", i).isEqualTo(i);
      assertThat(out.getString(1)).isEqualTo(in.getString(1));
      assertThat(out.getString(2)).isEqualTo(in.getString(2));
      assertThat(out.getDouble(3)).isEqualTo(in.getDouble(3));
      float[] vector = TestRows.vector(out, "pooled_output");
      float[] single = TestRows.vector(oneByOne.get(i), "pooled_output");
      if (in.getString(1) == null) {
        assertThat(vector).as("null text -> null output").isNull();
        assertThat(single).isNull();
        nulls++;
      } else {
        assertThat(vector).hasSize(384);
        maxDiff = Math.max(maxDiff, TestRows.maxAbsDiff(vector, single));
      }
    }
    System.out.printf("ROW-INTEGRITY rows=%d partitions=%d nulls=%d batched_vs_single_max_abs=%.3e%n",
        ROWS, PARTITIONS, nulls, maxDiff);
    assertThat(nulls).isEqualTo(ROWS / 10);
    assertThat(maxDiff).isLessThanOrEqualTo(1e-5);
    long distinctIds = batched.stream().mapToLong(r -> r.getLong(0)).distinct().count();
    assertThat(distinctIds).isEqualTo(ROWS);
  }

  @Test
  void duplicatesGetIdenticalVectors() {
    List<Row> out = stage().transform(frame.filter("id % 10 = 4")).collectAsList();
    float[] first = TestRows.vector(out.get(0), "pooled_output");
    for (Row row : out) {
      assertThat(TestRows.maxAbsDiff(TestRows.vector(row, "pooled_output"), first)).isLessThanOrEqualTo(1e-6);
    }
  }
}
