package org.kluespark.embed;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor JVM's threads that tokenize the next window while a task's current window runs through the
 * model ({@link WindowedIterator#pipelined}). Each task has at most one window being prepared, so there are at
 * most as many busy threads as running tasks; idle ones exit after a minute. Daemon threads: they never hold a
 * JVM open.
 */
public final class TokenizeAhead {
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final ExecutorService POOL = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "kluespark-tokenize-ahead-" + THREADS.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  });

  private TokenizeAhead() {}

  public static Executor executor() {
    return POOL;
  }
}
