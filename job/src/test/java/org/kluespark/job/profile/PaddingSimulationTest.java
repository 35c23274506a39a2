package org.kluespark.job.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kluespark.embed.BatchPlanner;

class PaddingSimulationTest {
  @Test
  void sortsEachWindowAndPadsEachBatchToItsLongestRow() {
    // One window; sorted 2,2,10,10; the planner cuts at the jump (batches of 2 rows cost less than padding).
    List<String> keys = List.of("a", "b", "c", "d");
    PaddingSimulation.Result result = PaddingSimulation.simulate(keys, new int[] {10, 2, 10, 2}, 8, 4, 0, true);

    assertThat(result).isEqualTo(new PaddingSimulation.Result(4, 4, 24, 24, 2));
    assertThat(result.efficiency()).isEqualTo(1.0);
  }

  @Test
  void matchesTheRealPlannerBatchByBatch() {
    int[] lengths = {5, 9, 12, 12, 30, 31, 7, 64};
    List<Integer> keys = List.of(0, 1, 2, 3, 4, 5, 6, 7);
    PaddingSimulation.Result result = PaddingSimulation.simulate(keys, lengths, 8, 3,
        BatchPlanner.CPU_BATCH_COST_TOKENS, true);

    int[] sorted = {5, 7, 9, 12, 12, 30, 31, 64};
    int[] ends = BatchPlanner.plan(sorted, 3, BatchPlanner.CPU_BATCH_COST_TOKENS);
    long padded = 0;
    for (int b = 0, start = 0; b < ends.length; start = ends[b], b++) {
      padded += (long) (ends[b] - start) * sorted[ends[b] - 1];
    }
    assertThat(result.batches()).isEqualTo(ends.length);
    assertThat(result.paddedTokens()).isEqualTo(padded);
    assertThat(result.realTokens()).isEqualTo(170);
  }

  @Test
  void windowsAreCutInInputOrder() {
    // Windows of 2: (2, 10) and (2, 10). Without windows the planner would pair 2 with 2 and 10 with 10.
    PaddingSimulation.Result result = PaddingSimulation.simulate(List.of("a", "b", "c", "d"),
        new int[] {2, 10, 2, 10}, 2, 2, 100, true);

    assertThat(result.paddedTokens()).isEqualTo(40);
    assertThat(result.efficiency()).isEqualTo(24 / 40.0);
  }

  @Test
  void repeatsWithinAWindowAreNotRunWhenDuplicatesAreReused() {
    List<String> keys = List.of("x", "x", "y", "x");
    int[] lengths = {4, 4, 6, 4};

    PaddingSimulation.Result reused = PaddingSimulation.simulate(keys, lengths, 2, 32, 0, true);
    PaddingSimulation.Result all = PaddingSimulation.simulate(keys, lengths, 2, 32, 0, false);

    assertThat(reused.rowsRun()).isEqualTo(3); // the second x of window 1; window 2's x is its first
    assertThat(reused.runShare()).isEqualTo(0.75);
    assertThat(reused.realTokens()).isEqualTo(14);
    assertThat(all.rowsRun()).isEqualTo(4);
    assertThat(all.realTokens()).isEqualTo(18);
  }

  @Test
  void refusesMismatchedInputs() {
    assertThatThrownBy(() -> PaddingSimulation.simulate(List.of("a"), new int[2], 8, 4, 0, true))
        .hasMessage("1 keys for 2 lengths");
  }
}
