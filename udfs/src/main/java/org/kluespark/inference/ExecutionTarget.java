package org.kluespark.inference;

/** The device a session was built for: the CPU, or one CUDA device by ordinal. */
public record ExecutionTarget(boolean cuda, int gpu) {
  public static final ExecutionTarget CPU = new ExecutionTarget(false, -1);

  public static ExecutionTarget cuda(int gpu) {
    if (gpu < 0) {
      throw new IllegalArgumentException("Invalid GPU ordinal (must be >= 0): " + gpu);
    }
    return new ExecutionTarget(true, gpu);
  }

  /** Part of the session cache key: one session per (model, device) per JVM. */
  public String key() {
    return cuda ? "cuda:" + gpu : "cpu";
  }

  @Override
  public String toString() {
    return key();
  }
}
