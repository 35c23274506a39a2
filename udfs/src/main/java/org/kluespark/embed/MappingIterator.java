package org.kluespark.embed;

import java.util.Iterator;
import java.util.function.Function;

/** Applies a function to each item as it is pulled: Java's {@code Iterator} has no {@code map}. */
public final class MappingIterator<T, R> implements Iterator<R> {
  private final Iterator<T> source;
  private final Function<T, R> function;

  private MappingIterator(Iterator<T> source, Function<T, R> function) {
    this.source = source;
    this.function = function;
  }

  /** {@code function} runs on the thread that calls {@code next()}, once per item. */
  public static <T, R> Iterator<R> map(Iterator<T> source, Function<T, R> function) {
    return new MappingIterator<>(source, function);
  }

  @Override
  public boolean hasNext() {
    return source.hasNext();
  }

  @Override
  public R next() {
    return function.apply(source.next());
  }
}
