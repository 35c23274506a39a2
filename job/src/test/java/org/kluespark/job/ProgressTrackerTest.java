package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProgressTrackerTest {
  private long now = TimeUnit.SECONDS.toNanos(1000);
  private final ProgressTracker tracker = new ProgressTracker(() -> now);

  @Test
  void nothingToReportBeforeTheFirstStage() {
    assertThat(tracker.snapshot().started()).isFalse();
  }

  @Test
  void etaIsUnknownUntilATaskFinishes() {
    tracker.stageSubmitted(8);
    advanceSeconds(3);

    assertThat(tracker.snapshot().line()).isEqualTo("kluespark: 0 rows, 0.0 rows/s, tasks 0/8, ETA ?");
  }

  @Test
  void rateAndEtaFromFinishedTasks() {
    tracker.stageSubmitted(8);
    advanceSeconds(10);
    tracker.taskFinished(300, 300);
    tracker.taskFinished(267, 267);

    Progress progress = tracker.snapshot();
    assertThat(progress.rowsPerSecond()).isEqualTo(56.7);
    assertThat(progress.etaSeconds()).as("10 s for 2 tasks, 6 to go").isEqualTo(30);
    assertThat(progress.line()).isEqualTo("kluespark: 567 rows, 56.7 rows/s, tasks 2/8, ETA 0:30");
  }

  @Test
  void tasksOfLaterStagesAddUp() {
    tracker.stageSubmitted(2);
    advanceSeconds(4);
    tracker.taskFinished(0, 10);
    tracker.stageSubmitted(2);

    assertThat(tracker.snapshot().line()).endsWith("tasks 1/4, ETA 0:12");
  }

  @Test
  void rowsReadCountWhileNothingIsWrittenYet() {
    tracker.stageSubmitted(2);
    advanceSeconds(1);
    tracker.taskFinished(0, 40);
    assertThat(tracker.snapshot().rows()).isEqualTo(40);

    tracker.taskFinished(25, 40);
    assertThat(tracker.snapshot().rows()).isEqualTo(25);
    assertThat(tracker.rowsWritten()).isEqualTo(25);
  }

  @Test
  void etaIsZeroWhenAllTasksFinished() {
    tracker.stageSubmitted(1);
    advanceSeconds(2);
    tracker.taskFinished(5, 5);
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
    assertThat(new EmbedResult(30, 4.1, "target/quickstart").summaryLine())
        .isEqualTo("kluespark: embedded 30 rows in 4.1 s (7.3 rows/s) -> target/quickstart");
    assertThat(new EmbedResult(0, 0, "out").summaryLine()).isEqualTo("kluespark: embedded 0 rows in 0.0 s (0.0 rows/s) -> out");
  }

  private void advanceSeconds(long seconds) {
    now += TimeUnit.SECONDS.toNanos(seconds);
  }
}
