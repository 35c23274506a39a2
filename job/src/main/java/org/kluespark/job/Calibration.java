package org.kluespark.job;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.kluespark.embed.TextInput;
import org.kluespark.stage.TextEmbedder;

/**
 * A short real run of the stage on sample rows, spread over the session's task slots as {@code embed} spreads
 * its input, to measure what this cluster embeds per second. A first tiny run loads the model into every
 * executor's cache, so the timed run measures tokenization and inference, not start-up. Both runs write to
 * Spark's {@code noop} sink: every row is computed, nothing is stored.
 *
 * @param rows rows timed
 * @param seconds wall time of the timed run
 * @param slots the task slots it ran on
 */
record Calibration(int rows, double seconds, int slots) {

  /** @param embedder configured as embed would be, with duplicate reuse off so every row is run */
  static Calibration run(SparkSession spark, TextEmbedder embedder, List<TextInput> rows, String textCol,
      String pairCol) {
    StructType schema = new StructType().add(textCol, DataTypes.StringType);
    if (pairCol != null) {
      schema = schema.add(pairCol, DataTypes.StringType);
    }
    List<Row> data = new ArrayList<>(rows.size());
    for (TextInput row : rows) {
      data.add(pairCol == null ? RowFactory.create(row.text()) : RowFactory.create(row.text(), row.pair()));
    }
    int slots = spark.sparkContext().defaultParallelism();
    embedAll(embedder, spark.createDataFrame(data.subList(0, Math.min(data.size(), slots)), schema), slots);
    long start = System.nanoTime();
    embedAll(embedder, spark.createDataFrame(data, schema), slots);
    return new Calibration(rows.size(), (System.nanoTime() - start) / 1e9, slots);
  }

  private static void embedAll(TextEmbedder embedder, Dataset<Row> rows, int slots) {
    embedder.transform(rows.repartition(slots)).write().format("noop").mode("overwrite").save();
  }
}
