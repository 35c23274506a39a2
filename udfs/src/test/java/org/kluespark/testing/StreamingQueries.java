package org.kluespark.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/** What the streaming tests (file and Delta sources) wait for and count. */
public final class StreamingQueries {
  private StreamingQueries() {}

  /** Progress is reported after a micro-batch's sink commit and the query's commit log entry are written. */
  public static void awaitFirstCommittedBatch(StreamingQuery query) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (inputRows(query.recentProgress()) == 0) {
      assertThat(query.isActive()).as("query still running: %s", query.exception()).isTrue();
      assertThat(System.nanoTime()).as("first micro-batch committed within 2 minutes").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** The rows the micro-batches of {@code progress} read. */
  public static long inputRows(StreamingQueryProgress[] progress) {
    long rows = 0;
    for (StreamingQueryProgress p : progress) {
      rows += p.numInputRows();
    }
    return rows;
  }

  /**
   * Checks that {@code streamed} holds ids 0..n-1 once each, with the texts and (null or not) vectors of
   * {@code batch}, both ordered by id (column 0: int id, column 1: text, plus pooled_output), and returns the
   * max-abs difference of the pooled vectors.
   */
  public static double maxAbsAgainstBatch(List<Row> streamed, List<Row> batch, int totalRows) {
    assertThat(streamed.stream().map(row -> row.getInt(0)).toList()).as("every id exactly once")
        .isEqualTo(IntStream.range(0, totalRows).boxed().toList());
    assertThat(batch).hasSize(totalRows);
    double maxAbs = 0;
    for (int i = 0; i < totalRows; i++) {
      assertThat(streamed.get(i).getString(1)).isEqualTo(batch.get(i).getString(1));
      float[] want = TestRows.vector(batch.get(i), "pooled_output");
      float[] got = TestRows.vector(streamed.get(i), "pooled_output");
      if (want == null) {
        assertThat(got).as("id %d: a null text gives a null vector", i).isNull();
        continue;
      }
      maxAbs = Math.max(maxAbs, TestRows.maxAbsDiff(got, want));
    }
    return maxAbs;
  }
}
