package org.kluespark.embed;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * Streams a partition window by window: pulls up to {@code windowSize} items, hands them to
 * {@code process} and yields its results before pulling the next window. Never holds more than one
 * window, so a partition of any size runs in bounded memory, and output order equals input order.
 */
public final class WindowedIterator<T, R> implements Iterator<R> {
  private final Iterator<T> source;
  private final int windowSize;
  private final Function<List<T>, List<R>> process;
  private Iterator<R> current = Collections.emptyIterator();

  public WindowedIterator(Iterator<T> source, int windowSize, Function<List<T>, List<R>> process) {
    if (windowSize <= 0) {
      throw new IllegalArgumentException("Invalid windowSize (must be > 0): " + windowSize);
    }
    this.source = source;
    this.windowSize = windowSize;
    this.process = process;
  }

  @Override
  public boolean hasNext() {
    while (!current.hasNext() && source.hasNext()) {
      List<T> window = new ArrayList<>(windowSize);
      while (window.size() < windowSize && source.hasNext()) {
        window.add(source.next());
      }
      List<R> results = process.apply(window);
      if (results.size() != window.size()) {
        throw new IllegalStateException("A window of " + window.size() + " rows produced " + results.size()
            + " results");
      }
      current = results.iterator();
    }
    return current.hasNext();
  }

  @Override
  public R next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return current.next();
  }
}
