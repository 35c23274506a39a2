package org.kluespark.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WindowedIteratorTest {

  @Test
  void yieldsEveryItemOnceInOrderAcrossWindows() {
    List<Integer> windows = new CopyOnWriteArrayList<>();
    Iterator<Integer> source = IntStream.range(0, 10).iterator();
    Iterator<String> it = WindowedIterator.pipelined(source, 4, (window, firstRow) -> {
      windows.add(window.size());
      return window;
    }, window -> window.stream().map(i -> "r" + i).toList(), ahead);
    List<String> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    assertThat(out).containsExactly("r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9");
    assertThat(windows).containsExactly(4, 4, 2);
  }

  @Test
  void emptySourceGivesNothing() {
    Iterator<Integer> it = WindowedIterator.pipelined(List.<Integer>of().iterator(), 3, (window, first) -> window,
        window -> window, ahead);
    assertThat(it.hasNext()).isFalse();
  }

  @Test
  void refusesAWindowThatLostRows() {
    Iterator<Integer> it = WindowedIterator.pipelined(List.of(1, 2).iterator(), 3, (window, first) -> window,
        window -> window.subList(0, 1), ahead);
    assertThatThrownBy(it::hasNext).hasMessageContaining("A window of 2 rows produced 1 results");
  }

  // ---- pipelined: the next window is prepared on another thread while this one is finished ----

  private final ExecutorService ahead = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    ahead.shutdownNow();
  }

  @Test
  void pipelinedYieldsEveryItemOnceInOrderAndPreparesOffTheCallersThread() {
    Thread caller = Thread.currentThread();
    List<Thread> preparedOn = new CopyOnWriteArrayList<>();
    List<Thread> sourceReadOn = new CopyOnWriteArrayList<>();
    Iterator<Integer> source = IntStream.range(0, 10).peek(i -> sourceReadOn.add(Thread.currentThread())).iterator();
    Iterator<String> it = WindowedIterator.pipelined(source, 4, (window, firstRow) -> {
      preparedOn.add(Thread.currentThread());
      return window.stream().map(i -> "p" + i).toList();
    }, prepared -> prepared.stream().map(p -> p + "!").toList(), ahead);
    List<String> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    assertThat(out).containsExactly("p0!", "p1!", "p2!", "p3!", "p4!", "p5!", "p6!", "p7!", "p8!", "p9!");
    assertThat(preparedOn).hasSize(3).doesNotContain(caller);
    assertThat(sourceReadOn).hasSize(10).containsOnly(caller);
  }

  @Test
  void theNextWindowIsPreparedWhileThisOneIsFinishedAndNoFurther() throws Exception {
    AtomicInteger pulled = new AtomicInteger();
    Iterator<Integer> source = IntStream.range(0, 100).peek(i -> pulled.incrementAndGet()).iterator();
    CountDownLatch secondPrepared = new CountDownLatch(2);
    List<Integer> pulledWhileFinishing = new ArrayList<>();
    Iterator<Integer> it = WindowedIterator.pipelined(source, 10, (window, firstRow) -> {
      secondPrepared.countDown();
      return window;
    }, window -> {
      try {
        // Finishing window 0 waits for window 1 to be prepared: they overlap, or this times out.
        assertThat(secondPrepared.await(10, TimeUnit.SECONDS)).as("window 1 prepared during window 0").isTrue();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      pulledWhileFinishing.add(pulled.get());
      return window;
    }, ahead);
    assertThat(it.next()).isZero();
    assertThat(pulledWhileFinishing).as("window 1 pulled, window 2 not").containsExactly(20);
    assertThat(pulled.get()).isEqualTo(20);
  }

  @Test
  void whatPrepareThrowsReachesTheCallerUnchangedAfterTheEarlierWindowsResults() {
    Iterator<Integer> it = WindowedIterator.pipelined(IntStream.range(0, 6).iterator(), 3, (window, firstRow) -> {
      if (firstRow == 3) {
        throw new RowEmbeddingException("Row " + firstRow + " cannot be embedded", null);
      }
      return window;
    }, window -> window, ahead);
    assertThat(it.next()).isZero();
    assertThat(it.next()).isEqualTo(1);
    assertThat(it.next()).isEqualTo(2);
    assertThatThrownBy(it::hasNext).isInstanceOf(RowEmbeddingException.class).hasMessage("Row 3 cannot be embedded");
  }
}
