package org.kluespark.embed;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Streams a partition window by window, in input order: pulls up to {@code windowSize} items, has them
 * prepared on {@code ahead} (the tokenizer) and finished on the caller's thread (the model), and yields the
 * results. Window k+1 is prepared while window k is finished, so the two overlap. At most one window is
 * prepared ahead and the next is pulled only when the caller needs window k+1's results: two windows in memory
 * at most, whatever the partition's size, and a slow consumer slows the source (back-pressure). The source is
 * always read on the caller's thread — Spark's input iterators and projections are not thread-safe and need
 * the task's thread-locals.
 *
 * @param <T> rows in
 * @param <P> a prepared window
 * @param <R> rows out
 */
public final class WindowedIterator<T, P, R> implements Iterator<R> {
  private final Iterator<T> source;
  private final int windowSize;
  private final WindowFunction<T, P> prepare;
  private final Function<P, List<R>> finish;
  private final Executor ahead;
  private long pulled; // rows taken from the source so far
  private Pending<P> pending;
  private Iterator<R> current = Collections.emptyIterator();

  private WindowedIterator(Iterator<T> source, int windowSize, WindowFunction<T, P> prepare,
      Function<P, List<R>> finish, Executor ahead) {
    if (windowSize <= 0) {
      throw new IllegalArgumentException("Invalid windowSize (must be > 0): " + windowSize);
    }
    this.source = source;
    this.windowSize = windowSize;
    this.prepare = prepare;
    this.finish = finish;
    this.ahead = ahead;
  }

  /** {@code prepare} of the next window runs on {@code ahead} while {@code finish} of this one runs here. */
  public static <T, P, R> WindowedIterator<T, P, R> pipelined(Iterator<T> source, int windowSize,
      WindowFunction<T, P> prepare, Function<P, List<R>> finish, Executor ahead) {
    return new WindowedIterator<>(source, windowSize, prepare, finish, ahead);
  }

  /** Prepares a window; {@code firstRow} is the index in the source of its first row. */
  @FunctionalInterface
  public interface WindowFunction<T, P> {
    P apply(List<T> window, long firstRow);
  }

  /** A window pulled from the source, being prepared. */
  private record Pending<P>(int rows, CompletableFuture<P> prepared) {}

  @Override
  public boolean hasNext() {
    while (!current.hasNext()) {
      if (pending == null) {
        pending = pull();
        if (pending == null) {
          return false;
        }
      }
      Pending<P> window = pending;
      P prepared = await(window.prepared());
      pending = pull(); // the next window is prepared while this one is finished
      List<R> results = finish.apply(prepared);
      if (results.size() != window.rows()) {
        throw new IllegalStateException("A window of " + window.rows() + " rows produced " + results.size()
            + " results");
      }
      current = results.iterator();
    }
    return true;
  }

  /** The next window from the source, submitted for preparation; null at the end of the source. */
  private Pending<P> pull() {
    if (!source.hasNext()) {
      return null;
    }
    List<T> window = new ArrayList<>(windowSize);
    while (window.size() < windowSize && source.hasNext()) {
      window.add(source.next());
    }
    long firstRow = pulled;
    pulled += window.size();
    CompletableFuture<P> prepared = CompletableFuture.supplyAsync(() -> prepare.apply(window, firstRow), ahead);
    return new Pending<>(window.size(), prepared);
  }

  /**
   * The prepared window; what {@code prepare} threw is rethrown here as it was, on the caller's thread. Waits
   * uninterruptibly: preparing one window takes milliseconds, and a killed task then stops at its next row.
   */
  private static <P> P await(CompletableFuture<P> prepared) {
    try {
      return prepared.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  @Override
  public R next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return current.next();
  }
}
