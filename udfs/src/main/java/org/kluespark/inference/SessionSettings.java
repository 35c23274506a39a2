package org.kluespark.inference;

import java.io.Serializable;

/**
 * How executors build their session.
 *
 * @param device the requested device
 * @param intraOpThreads ONNX Runtime intra-op threads; 0 means {@code spark.task.cpus}, so that task
 *     threads sharing one session never use more cores than the executor was given
 */
public record SessionSettings(Device device, int intraOpThreads) implements Serializable {
  public SessionSettings {
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("Invalid intraOpThreads (must be >= 0): " + intraOpThreads);
    }
  }
}
