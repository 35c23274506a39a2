package org.kluespark.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.kluespark.inference.ExecutionTarget;

class BatchPlannerTest {
  @Test
  void cutsWhereTheLengthJumpsInsteadOfEveryMaxRows() {
    // Four rows of 5 tokens and four of 40: cutting every 4... is also the jump; every 3 would pad 5s to 40.
    int[] lengths = {5, 5, 5, 40, 40, 40};
    assertThat(BatchPlanner.plan(lengths, 4, 0)).containsExactly(3, 6);
    // Fixed cuts of 4 would cost 4*40 + 2*40 = 240 padded tokens; the plan costs 3*5 + 3*40 = 135.
  }

  @Test
  void aBatchCostKeepsRowsTogetherWhenSplittingSavesLessThanItCosts() {
    int[] lengths = {10, 10, 11, 11};
    assertThat(BatchPlanner.plan(lengths, 4, 0)).as("free batches: split at every jump").containsExactly(2, 4);
    assertThat(BatchPlanner.plan(lengths, 4, 2)).as("saving 2 tokens costs 2: fewest batches").containsExactly(4);
    assertThat(BatchPlanner.plan(lengths, 4, 3)).containsExactly(4);
  }

  @Test
  void neverExceedsMaxRowsAndCoversEveryRowInOrder() {
    Random random = new Random(7);
    for (int trial = 0; trial < 200; trial++) {
      int[] lengths = random.ints(random.nextInt(300), 1, 129).sorted().toArray();
      int maxRows = 1 + random.nextInt(64);
      int[] ends = BatchPlanner.plan(lengths, maxRows, random.nextInt(64));
      int start = 0;
      for (int end : ends) {
        assertThat(end - start).isBetween(1, maxRows);
        start = end;
      }
      assertThat(start).isEqualTo(lengths.length);
    }
  }

  @Test
  void isNeverWorseThanCuttingEveryMaxRows() {
    Random random = new Random(11);
    for (int trial = 0; trial < 200; trial++) {
      int[] lengths = random.ints(1 + random.nextInt(400), 3, 129).sorted().toArray();
      int maxRows = 1 + random.nextInt(64);
      int batchCost = random.nextInt(600);
      int[] fixed = new int[(lengths.length + maxRows - 1) / maxRows];
      for (int b = 0; b < fixed.length; b++) {
        fixed[b] = Math.min(lengths.length, (b + 1) * maxRows);
      }
      assertThat(cost(lengths, BatchPlanner.plan(lengths, maxRows, batchCost), batchCost))
          .isLessThanOrEqualTo(cost(lengths, fixed, batchCost));
    }
  }

  @Test
  void aHugeBatchCostGivesTheFewestBatches() {
    int[] lengths = new Random(3).ints(100, 1, 60).sorted().toArray();
    assertThat(BatchPlanner.plan(lengths, 32, 1_000_000)).hasSize(4);
  }

  @Test
  void emptyAndZeroLengthRows() {
    assertThat(BatchPlanner.plan(new int[0], 8, 16)).isEmpty();
    assertThat(BatchPlanner.plan(new int[] {0, 0, 1}, 8, 16)).containsExactly(3);
  }

  @Test
  void rejectsUnsortedLengthsAndBadLimits() {
    assertThatThrownBy(() -> BatchPlanner.plan(new int[] {3, 2}, 8, 0))
        .hasMessage("Lengths must be sorted ascending; index 1 is 2 after 3");
    assertThatThrownBy(() -> BatchPlanner.plan(new int[] {1}, 0, 0)).hasMessageContaining("maxRows");
    assertThatThrownBy(() -> BatchPlanner.plan(new int[] {1}, 1, -1)).hasMessageContaining("batchCostTokens");
  }

  @Test
  void gpuBatchesCostMoreThanCpuBatches() {
    assertThat(BatchPlanner.batchCostTokens(ExecutionTarget.cuda(0)))
        .isGreaterThan(BatchPlanner.batchCostTokens(ExecutionTarget.CPU));
  }

  private static long cost(int[] lengths, int[] ends, int batchCost) {
    long total = 0;
    int start = 0;
    for (int end : ends) {
      total += (long) (end - start) * Math.max(1, Arrays.stream(lengths, start, end).max().orElse(1)) + batchCost;
      start = end;
    }
    return total;
  }
}
