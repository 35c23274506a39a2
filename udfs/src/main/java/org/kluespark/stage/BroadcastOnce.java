package org.kluespark.stage;

import java.io.Serializable;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/** A driver-side value with the broadcast that ships it, made once per SparkContext. */
final class BroadcastOnce<T extends Serializable> {
  private final T value;
  private Broadcast<T> broadcast;
  private SparkContext context;

  BroadcastOnce(T value) {
    this.value = value;
  }

  T value() {
    return value;
  }

  /** Repeated transforms of the same value do not re-ship it. */
  synchronized Broadcast<T> get(SparkContext sc) {
    if (broadcast == null || context != sc || sc.isStopped()) {
      broadcast = JavaSparkContext.fromSparkContext(sc).broadcast(value);
      context = sc;
    }
    return broadcast;
  }
}
