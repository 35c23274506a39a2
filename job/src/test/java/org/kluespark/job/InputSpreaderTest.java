package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.kluespark.testing.SparkTestSession;

/** Small inputs are spread over the cluster's task slots without changing row order. */
class InputSpreaderTest {
  private final StringWriter messages = new StringWriter();
  private final PrintWriter err = new PrintWriter(messages, true);

  private static Dataset<Row> onePartition(SparkSession spark, int rows) {
    return spark.range(0, rows, 1, 1).toDF("id");
  }

  @Test
  void onePartitionIsSpreadOverTheSlotsInInputOrder() {
    Dataset<Row> spread = InputSpreader.spread(onePartition(SparkTestSession.get(), 1000), null, 2, err);

    assertThat(spread.rdd().getNumPartitions()).isEqualTo(2);
    assertThat(spread.columns()).containsExactly("id");
    List<Long> ids = spread.collectAsList().stream().map(row -> row.getLong(0)).toList();
    assertThat(ids).hasSize(1000).isSorted().doesNotHaveDuplicates();
    List<Integer> perPartition = spread.mapPartitions(
        (MapPartitionsFunction<Row, Integer>) it -> {
          int n = 0;
          while (it.hasNext()) {
            it.next();
            n++;
          }
          return List.of(n).iterator();
        }, Encoders.INT()).collectAsList();
    assertThat(perPartition).allSatisfy(n -> assertThat(n).isGreaterThan(0));
    assertThat(messages.toString()).contains("input has 1 partition(s); embedding in 2 partitions, in input order");
  }

  @Test
  void requestedPartitionsWin() {
    Dataset<Row> spread = InputSpreader.spread(onePartition(SparkTestSession.get(), 100), 3, 2, err);
    assertThat(spread.rdd().getNumPartitions()).isEqualTo(3);
    assertThat(spread.collectAsList().stream().map(row -> row.getLong(0)).toList()).isSorted().hasSize(100);
  }

  @Test
  void enoughPartitionsAreLeftAlone() {
    Dataset<Row> input = SparkTestSession.get().range(0, 100, 1, 4).toDF("id");
    assertThat(InputSpreader.spread(input, null, 2, err)).isSameAs(input);
    assertThat(messages.toString()).isEmpty();
  }
}
