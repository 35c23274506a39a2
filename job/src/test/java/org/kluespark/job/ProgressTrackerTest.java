package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.kluespark.metrics.EmbeddingMetrics;

class ProgressTrackerTest {
  private long now = TimeUnit.SECONDS.toNanos(1000);
  private final ProgressTracker tracker = new ProgressTracker(() -> now);

  @Test
  void nothingToReportBeforeTheFirstStage() {
    assertThat(tracker.snapshot().started()).isFalse();
  }

  @Test
  void etaIsUnknownUntilATaskFinishes() {
    tracker.stageSubmitted(1, 8);
    advanceSeconds(3);

    assertThat(tracker.snapshot().line()).isEqualTo("kluespark: 0 rows, 0.0 rows/s, tasks 0/8, ETA ?");
  }

  @Test
  void rateAndEtaFromFinishedTasks() {
    tracker.stageSubmitted(1, 8);
    advanceSeconds(10);
    tracker.taskFinished(1, 300, true, 0, 0);
    tracker.taskFinished(1, 267, true, 0, 0);

    Progress progress = tracker.snapshot();
    assertThat(progress.rowsPerSecond()).isEqualTo(56.7);
    assertThat(progress.etaSeconds()).as("10 s for 2 tasks, 6 to go").isEqualTo(30);
    assertThat(progress.line()).isEqualTo("kluespark: 567 rows, 56.7 rows/s, tasks 2/8, ETA 0:30");
  }

  @Test
  void twoLargeTasksGetAnEtaFromTheInputBytesTheyHaveRead() {
    tracker.expectInputBytes(1_000_000);
    tracker.stageSubmitted(1, 2);
    advanceSeconds(30);
    tracker.taskProgress(1, 7L, 900);
    tracker.taskProgress(1, 8L, 800);
    tracker.taskInputProgress(7L, 150_000);
    tracker.taskInputProgress(8L, 100_000);

    assertThat(tracker.snapshot().etaSeconds()).as("a quarter read in 30 s: 90 s left").isEqualTo(90);
    assertThat(tracker.snapshot().line()).isEqualTo("kluespark: 1700 rows, 56.7 rows/s, tasks 0/2, ETA 1:30");

    tracker.taskEnded(7L);
    tracker.taskFinished(1, 2000, true, 0, 500_000);
    advanceSeconds(10);
    assertThat(tracker.snapshot().etaSeconds()).as("600,000 of 1,000,000 bytes in 40 s").isEqualTo(27);
  }

  @Test
  void inputBytesWithoutAnEmbeddingStageGiveNoEta() {
    tracker.expectInputBytes(1_000_000);
    tracker.stageSubmitted(1, 2);
    advanceSeconds(30);
    tracker.taskInputProgress(7L, 150_000);

    assertThat(tracker.snapshot().etaSeconds()).isEqualTo(-1);
  }

  @Test
  void runningTasksShowRowsBeforeTheyFinish() {
    tracker.stageSubmitted(1, 1);
    advanceSeconds(10);
    tracker.taskProgress(1, 7L, 120);
    tracker.taskProgress(1, 7L, 250); // a later heartbeat replaces the earlier count

    assertThat(tracker.snapshot().line()).isEqualTo("kluespark: 250 rows, 25.0 rows/s, tasks 0/1, ETA ?");

    tracker.taskEnded(7L);
    tracker.taskFinished(1, 300, true, 0, 0);
    assertThat(tracker.snapshot().rows()).as("the finished task's written rows replace its partial count")
        .isEqualTo(300);
  }

  @Test
  void aFailedTasksPartialRowsAreDropped() {
    tracker.stageSubmitted(1, 1);
    tracker.taskProgress(1, 3L, 40);
    tracker.taskEnded(3L);

    assertThat(tracker.snapshot().rows()).isZero();
  }

  @Test
  void tasksOfAllStagesShowWithoutAnEtaUntilAnEmbeddingStageIsKnown() {
    tracker.stageSubmitted(1, 2);
    advanceSeconds(4);
    tracker.taskFinished(1, 0, false, 0, 0);
    tracker.stageSubmitted(2, 2);

    assertThat(tracker.snapshot().line()).as("no ETA from stages that may not embed").endsWith("tasks 1/4, ETA ?");
  }

  @Test
  void etaCountsOnlyTheEmbeddingStagesTasks() {
    // A spread input: a quick sampling stage and a shuffle stage, then the stage that embeds and writes.
    tracker.stageSubmitted(1, 1);
    tracker.taskFinished(1, 0, false, 0, 0);
    tracker.stageSubmitted(2, 1);
    tracker.taskFinished(2, 0, false, 0, 0);
    tracker.stageSubmitted(3, 4);
    advanceSeconds(10);
    tracker.taskProgress(3, 11L, 100);
    assertThat(tracker.snapshot().line()).isEqualTo("kluespark: 100 rows, 10.0 rows/s, tasks 0/4, ETA ?");

    tracker.taskEnded(11L);
    tracker.taskFinished(3, 250, true, 0, 0);
    assertThat(tracker.snapshot().line()).isEqualTo("kluespark: 250 rows, 25.0 rows/s, tasks 1/4, ETA 0:30");
  }

  @Test
  void etaFromRowsLeftWhenAShuffleToldTheTotal() {
    tracker.stageSubmitted(1, 1);
    tracker.taskFinished(1, 0, false, 3000, 0); // the spread's shuffle hands 3,000 rows to the embedding stage
    tracker.stageSubmitted(2, 2);
    advanceSeconds(10);
    tracker.taskProgress(2, 5L, 500);
    tracker.taskProgress(2, 6L, 500);

    assertThat(tracker.snapshot().line()).isEqualTo("kluespark: 1000 rows, 100.0 rows/s, tasks 0/2, ETA 0:20");
  }

  @Test
  void etaIsZeroWhenAllTasksFinished() {
    tracker.stageSubmitted(1, 1);
    advanceSeconds(2);
    tracker.taskFinished(1, 5, true, 0, 0);
    assertThat(tracker.snapshot().line()).endsWith("tasks 1/1, ETA 0:00");
  }

  @Test
  void clockFormat() {
    assertThat(Progress.clock(0)).isEqualTo("0:00");
    assertThat(Progress.clock(42)).isEqualTo("0:42");
    assertThat(Progress.clock(754)).isEqualTo("12:34");
    assertThat(Progress.clock(3723)).isEqualTo("1:02:03");
  }

  @Test
  void summaryLine() {
    assertThat(new EmbedResult(30, 4.1, "target/quickstart", EmbeddingMetrics.ZERO).summaryLine())
        .isEqualTo("kluespark: embedded 30 rows in 4.1 s (7.3 rows/s) -> target/quickstart");
    assertThat(new EmbedResult(0, 0, "out", EmbeddingMetrics.ZERO).summaryLine()).isEqualTo("kluespark: embedded 0 rows in 0.0 s (0.0 rows/s) -> out");
  }

  private void advanceSeconds(long seconds) {
    now += TimeUnit.SECONDS.toNanos(seconds);
  }
}
