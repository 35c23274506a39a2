package org.kluespark.inference;

/**
 * A batch was asked of a session that is closed: the executor JVM is shutting down (its shutdown hook closes
 * the sessions). Not a property of the rows, so no row is blamed for it; the task fails and Spark reruns it.
 */
public final class SessionClosedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public SessionClosedException(String message) {
    super(message);
  }
}
