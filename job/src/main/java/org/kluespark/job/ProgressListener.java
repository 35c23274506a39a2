package org.kluespark.job;

import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Feeds a {@link ProgressTracker} from Spark's scheduler events, counting only the stages of jobs started
 * while the local property {@link #RUN_PROPERTY} held this run's id. Other jobs on a shared SparkContext
 * (schema inference, other users of a notebook's session) are left out.
 */
final class ProgressListener extends SparkListener {
  static final String RUN_PROPERTY = "kluespark.embed.run";
  private static final long DRAIN_TIMEOUT_MILLIS = TimeUnit.SECONDS.toMillis(60);

  private final String runId;
  private final ProgressTracker tracker;
  private final Set<Integer> stageIds = ConcurrentHashMap.newKeySet();

  ProgressListener(String runId, ProgressTracker tracker) {
    this.runId = runId;
    this.tracker = tracker;
  }

  String runId() {
    return runId;
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted stageSubmitted) {
    Properties properties = stageSubmitted.properties();
    if (properties != null && runId.equals(properties.getProperty(RUN_PROPERTY))) {
      stageIds.add(stageSubmitted.stageInfo().stageId());
      tracker.stageSubmitted(stageSubmitted.stageInfo().numTasks());
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    // Failed attempts are retried and their output is discarded, so only successful tasks count.
    if (!stageIds.contains(taskEnd.stageId()) || !taskEnd.taskInfo().successful()) {
      return;
    }
    TaskMetrics metrics = taskEnd.taskMetrics();
    long written = metrics == null ? 0 : metrics.outputMetrics().recordsWritten();
    long read = metrics == null ? 0 : metrics.inputMetrics().recordsRead();
    tracker.taskFinished(written, read);
  }

  /**
   * Waits until every event already posted has reached the listeners. Spark delivers events asynchronously:
   * when an action returns, its last task-end events may still be queued, and the row total would come up
   * short. LiveListenerBus is Spark-internal (Scala private[spark], public in bytecode); Spark's own tests
   * use the same call.
   */
  static boolean awaitDelivery(SparkContext sparkContext) {
    try {
      sparkContext.listenerBus().waitUntilEmpty(DRAIN_TIMEOUT_MILLIS);
      return true;
    } catch (TimeoutException e) {
      return false;
    }
  }
}
