package org.kluespark.job;

import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.kluespark.metrics.EmbeddingMetrics;
import org.apache.spark.util.AccumulatorContext;
import org.apache.spark.util.AccumulatorV2;
import org.kluespark.stage.TextEmbedder;
import scala.Option;
import scala.Tuple4;
import scala.collection.JavaConverters;

/**
 * Feeds a {@link ProgressTracker} from Spark's scheduler events, counting only the stages of jobs started
 * while the local property {@link #RUN_PROPERTY} held this run's id. Other jobs on a shared SparkContext
 * (schema inference, other users of a notebook's session) are left out.
 */
final class ProgressListener extends SparkListener {
  static final String RUN_PROPERTY = "kluespark.embed.run";
  /** Spark's internal task metric for input bytes, reported with running tasks' accumulators. */
  static final String INPUT_BYTES_READ = "internal.metrics.input.bytesRead";
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
      tracker.stageSubmitted(stageSubmitted.stageInfo().stageId(), stageSubmitted.stageInfo().numTasks());
    }
  }

  /**
   * Executors report running tasks' accumulators in their heartbeats ({@code spark.executor.heartbeatInterval},
   * 10 s by default); the stage's row accumulator there makes rows visible before a task finishes.
   */
  @Override
  public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
    // var: the tuples hold immutable.Seq on Scala 2.13 and collection.Seq on 2.12 (the Spark 3.5 build)
    for (var task : JavaConverters.seqAsJavaList(update.accumUpdates())) {
      if (!stageIds.contains((Integer) task._2())) {
        continue;
      }
      List<AccumulableInfo> accumulators = JavaConverters.seqAsJavaList(task._4());
      boolean embedding = false;
      for (AccumulableInfo accumulator : accumulators) {
        if (accumulator.name().contains(TextEmbedder.ROWS_ACCUMULATOR) && accumulator.update().isDefined()) {
          embedding = true;
          tracker.taskProgress((Integer) task._2(), (Long) task._1(),
              ((Number) accumulator.update().get()).longValue());
        }
      }
      for (AccumulableInfo accumulator : accumulators) {
        if (embedding && INPUT_BYTES_READ.equals(nameOf(accumulator)) && accumulator.update().isDefined()) {
          tracker.taskInputProgress((Long) task._1(), ((Number) accumulator.update().get()).longValue());
        }
      }
    }
  }

  /**
   * The accumulator's name, or null. Heartbeats carry Spark's own task metrics by id only (executors drop the
   * internal metrics' names to keep heartbeats small), so a nameless one is looked up among the accumulators
   * registered on the driver, where this listener runs. AccumulatorContext is Spark-internal (Scala
   * private[spark], public in bytecode).
   */
  static String nameOf(AccumulableInfo info) {
    if (info.name().isDefined()) {
      return info.name().get();
    }
    Option<AccumulatorV2<?, ?>> registered = AccumulatorContext.get(info.id());
    return registered.isDefined() && registered.get().name().isDefined() ? registered.get().name().get() : null;
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    if (!stageIds.contains(taskEnd.stageId())) {
      return;
    }
    tracker.taskEnded(taskEnd.taskInfo().taskId());
    // Failed attempts are retried and their output is discarded, so only successful tasks count.
    if (!taskEnd.taskInfo().successful()) {
      return;
    }
    TaskMetrics metrics = taskEnd.taskMetrics();
    long written = metrics == null ? 0 : metrics.outputMetrics().recordsWritten();
    List<AccumulableInfo> accumulables = JavaConverters.seqAsJavaList(taskEnd.taskInfo().accumulables());
    boolean embedded = accumulables.stream().anyMatch(info -> info.name().contains(TextEmbedder.ROWS_ACCUMULATOR));
    if (embedded) {
      tracker.addMetrics(EmbeddingMetrics.fromTaskAccumulables(accumulables));
    }
    long shuffled = metrics == null ? 0 : metrics.shuffleWriteMetrics().recordsWritten();
    long bytesRead = metrics == null ? 0 : metrics.inputMetrics().bytesRead();
    tracker.taskFinished(taskEnd.stageId(), written, embedded, shuffled, bytesRead);
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
