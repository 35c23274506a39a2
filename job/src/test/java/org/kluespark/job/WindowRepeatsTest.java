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

    assertThat(counted).isEqualTo(new WindowRepeats(6, 0, 2, 6, 2));
    assertThat(counted.repeatShare()).isCloseTo(2 / 6.0, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(counted.runShare()).isCloseTo(4 / 6.0, org.assertj.core.api.Assertions.within(1e-12));
  }

  @Test
  void nullRowsAreNeverRepeatsAndTheLastWindowMayBeShort() {
    WindowRepeats counted = WindowRepeats.countPartition(rows(null, null, "x", "x").iterator(), false, 3);

    assertThat(counted).isEqualTo(new WindowRepeats(4, 2, 0, 2, 0)); // windows (null, null, x) and (x)
    assertThat(counted.runShare()).isEqualTo(1.0);
  }

  @Test
  void pairsRepeatOnlyWhenBothTextsDo() {
    List<Row> rows = Arrays.asList(RowFactory.create("a", "b"), RowFactory.create("a", "c"),
        RowFactory.create("a", "b"), RowFactory.create("a", null));

    assertThat(WindowRepeats.countPartition(rows.iterator(), true, 10)).isEqualTo(new WindowRepeats(4, 1, 1, 6, 2));
  }

  @Test
  void theWorkSavedIsCountedInCharactersSoLongRepeatsWeighMore() {
    // A long premise three times with three short hypotheses: half the rows repeat, most of the text does.
    String premise = "x".repeat(90);
    WindowRepeats counted = WindowRepeats.countPartition(
        rows(premise, "h1", premise, "h2", premise, "h3").iterator(), false, 1024);

    assertThat(counted.repeatShare()).isCloseTo(2 / 6.0, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(counted).isEqualTo(new WindowRepeats(6, 0, 2, 276, 180));
    assertThat(counted.runShare()).isCloseTo(96 / 276.0, org.assertj.core.api.Assertions.within(1e-12));
  }

  @Test
  void partitionsAddUp() {
    assertThat(new WindowRepeats(3, 1, 1, 10, 2).plus(new WindowRepeats(5, 0, 2, 20, 5)))
        .isEqualTo(new WindowRepeats(8, 1, 3, 30, 7));
  }
}
