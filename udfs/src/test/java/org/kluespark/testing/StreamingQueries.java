package org.kluespark.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
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
}
