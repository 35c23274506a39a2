package org.kluespark.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class WindowedIteratorTest {

  @Test
  void yieldsEveryItemOnceInOrderAcrossWindows() {
    List<Integer> windows = new ArrayList<>();
    Iterator<Integer> source = IntStream.range(0, 10).iterator();
    WindowedIterator<Integer, String> it = new WindowedIterator<>(source, 4, window -> {
      windows.add(window.size());
      return window.stream().map(i -> "r" + i).toList();
    });
    List<String> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    assertThat(out).containsExactly("r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9");
    assertThat(windows).containsExactly(4, 4, 2);
  }

  @Test
  void pullsTheNextWindowOnlyWhenTheCurrentOneIsConsumed() {
    AtomicInteger pulled = new AtomicInteger();
    Iterator<Integer> source = IntStream.range(0, 100).peek(i -> pulled.incrementAndGet()).iterator();
    WindowedIterator<Integer, Integer> it = new WindowedIterator<>(source, 10, window -> window);
    it.next();
    assertThat(pulled.get()).isEqualTo(10);
  }

  @Test
  void emptySourceGivesNothing() {
    WindowedIterator<Integer, Integer> it =
        new WindowedIterator<>(List.<Integer>of().iterator(), 3, window -> window);
    assertThat(it.hasNext()).isFalse();
  }

  @Test
  void refusesAWindowThatLostRows() {
    WindowedIterator<Integer, Integer> it =
        new WindowedIterator<>(List.of(1, 2).iterator(), 3, window -> window.subList(0, 1));
    assertThatThrownBy(it::hasNext).hasMessageContaining("A window of 2 rows produced 1 results");
  }
}
