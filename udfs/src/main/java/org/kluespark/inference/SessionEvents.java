package org.kluespark.inference;

/** What {@link SessionCache} tells the task that asked for a session, so a job can count it. */
public interface SessionEvents {
  SessionEvents NONE = new SessionEvents() {
    @Override
    public void modelLoaded() {}

    @Override
    public void cpuFallback() {}
  };

  /** This task created the JVM's session: the model was loaded here. */
  void modelLoaded();

  /** This task had a GPU, but device=auto runs it on the CPU because the CUDA provider could not start there. */
  void cpuFallback();
}
