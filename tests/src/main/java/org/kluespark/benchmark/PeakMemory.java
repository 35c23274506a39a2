package org.kluespark.benchmark;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The child JVM's peak memory: the largest used heap seen, from polling {@code MemoryMXBean} every few
 * milliseconds and from every GC's before-collection usage (the true peaks, which polling can miss); and
 * the peak resident set size, {@code VmHWM} of {@code /proc/self/status} (Linux only; off-heap memory such as
 * ONNX Runtime's arenas and the tokenizer's native memory included).
 */
final class PeakMemory implements AutoCloseable {
  private static final long POLL_MILLIS = 10;

  private final AtomicLong peakHeap = new AtomicLong();
  private final Set<String> heapPools = new HashSet<>();
  private final Thread poller;
  private final NotificationListener gcListener = this::onGc;
  private volatile boolean running = true;

  private PeakMemory() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heapPools.add(pool.getName());
      }
    }
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(gcListener, null, null);
      }
    }
    poller = new Thread(this::poll, "benchmark-heap-poller");
    poller.setDaemon(true);
    poller.start();
  }

  /** Starts watching; call as early as possible in the child. */
  static PeakMemory start() {
    return new PeakMemory();
  }

  /** The largest used heap seen so far, in bytes. */
  long peakHeapBytes() {
    record(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    return peakHeap.get();
  }

  /** The process's peak resident set size (VmHWM) in bytes, or -1 where /proc/self/status is missing. */
  static long peakRssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          String[] parts = line.substring("VmHWM:".length()).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024; // kB
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  private void poll() {
    while (running) {
      record(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void onGc(Notification notification, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info =
        GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
    long used = 0;
    for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageBeforeGc().entrySet()) {
      if (heapPools.contains(pool.getKey())) {
        used += pool.getValue().getUsed();
      }
    }
    record(used);
  }

  private void record(long used) {
    peakHeap.accumulateAndGet(used, Math::max);
  }

  @Override
  public void close() {
    running = false;
    poller.interrupt();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        try {
          emitter.removeNotificationListener(gcListener);
        } catch (ListenerNotFoundException e) {
          // not registered on this collector
        }
      }
    }
  }
}
