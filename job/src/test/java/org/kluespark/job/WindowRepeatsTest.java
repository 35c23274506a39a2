package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

class WindowRepeatsTest {
  private static List<Row> rows(String... texts) {
    List<Row> rows = new ArrayList<>();
    for (String text : texts) {
      rows.add(RowFactory.create(text));
    }
    return rows;
  }

  @Test
  void countsRepeatsWithinEachWindowOnly() {
    // Windows of 3: (a, a, b) and (a, b, a): one repeat, then one more; the second window's first a is new there.
    WindowRepeats counted = WindowRepeats.countPartition(rows("a", "a", "b", "a", "b", "a").iterator(), false, 3);

    assertThat(counted).isEqualTo(new WindowRepeats(6, 0, 2));
    assertThat(counted.runShare()).isCloseTo(4 / 6.0, org.assertj.core.api.Assertions.within(1e-12));
  }

  @Test
  void nullRowsAreNeverRepeatsAndTheLastWindowMayBeShort() {
    WindowRepeats counted = WindowRepeats.countPartition(rows(null, null, "x", "x").iterator(), false, 3);

    assertThat(counted).isEqualTo(new WindowRepeats(4, 2, 0)); // windows (null, null, x) and (x)
    assertThat(counted.runShare()).isEqualTo(1.0);
  }

  @Test
  void pairsRepeatOnlyWhenBothTextsDo() {
    List<Row> rows = Arrays.asList(RowFactory.create("a", "b"), RowFactory.create("a", "c"),
        RowFactory.create("a", "b"), RowFactory.create("a", null));

    assertThat(WindowRepeats.countPartition(rows.iterator(), true, 10)).isEqualTo(new WindowRepeats(4, 1, 1));
  }

  @Test
  void partitionsAddUp() {
    assertThat(new WindowRepeats(3, 1, 1).plus(new WindowRepeats(5, 0, 2))).isEqualTo(new WindowRepeats(8, 1, 3));
  }
}
