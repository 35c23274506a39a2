package org.kluespark.inference;

import ai.onnxruntime.OrtException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkEnv;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelSignature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor-side cache: one {@link EncoderSession} per (model fingerprint, device) per JVM, created
 * lazily by the first task that needs it and shared by every later task thread of the executor.
 *
 * <p>Sessions live as long as the JVM (executors are long-lived and models few); they are closed by a
 * shutdown hook. A failed creation is not cached, so a later task tries again.
 */
public final class SessionCache {
  private static final Logger LOG = LoggerFactory.getLogger(SessionCache.class);
  private static final ConcurrentMap<String, EncoderSession> SESSIONS = new ConcurrentHashMap<>();
  private static final AtomicInteger CREATED = new AtomicInteger();
  private static final AtomicBoolean CPU_FALLBACK_WARNED = new AtomicBoolean();
  private static final Set<ExecutionTarget> CUDA_FAILED = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(SessionCache::closeAll, "kluespark-session-cleanup"));
  }

  private SessionCache() {}

  /** The session for {@code bundle} on the device {@code settings} and the current task choose. */
  public static EncoderSession get(ModelBundle bundle, ModelSignature signature, SessionSettings settings) {
    return get(bundle, signature, settings, SessionEvents.NONE);
  }

  /**
   * As {@link #get(ModelBundle, ModelSignature, SessionSettings)}; {@code events} hears, on the task's own thread,
   * when this task created the session (threads that find it cached do not) and when it runs on the CPU although
   * it has a GPU, so a job can count model loads and fallbacks.
   */
  public static EncoderSession get(ModelBundle bundle, ModelSignature signature, SessionSettings settings,
      SessionEvents events) {
    return get(bundle, signature, settings, events, GpuEnvironment.ofCurrentTask());
  }

  static EncoderSession get(ModelBundle bundle, ModelSignature signature, SessionSettings settings,
      SessionEvents events, GpuEnvironment gpus) {
    ExecutionTarget target = DeviceChooser.choose(settings.device(), gpus, bundle.precision());
    // spark.task.cpus threads per session: N concurrent tasks of an executor with N × task.cpus cores then
    // never run more threads than the executor was given, even though they share one session.
    int threads = settings.intraOpThreads() > 0 ? settings.intraOpThreads() : taskCpus();
    if (target.cuda() && settings.device() == Device.AUTO && CUDA_FAILED.contains(target)) {
      events.cpuFallback(); // this JVM already failed to start CUDA there; don't pay for it again
      return getOrCreate(bundle, signature, ExecutionTarget.CPU, threads, events);
    }
    try {
      return getOrCreate(bundle, signature, target, threads, events);
    } catch (CudaStartFailure failure) {
      if (settings.device() != Device.AUTO) {
        throw new IllegalStateException("device=cuda: ONNX Runtime could not start the CUDA provider on GPU "
            + target.gpu() + ": " + failure.getCause().getMessage() + ". onnxruntime_gpu 1.28 needs CUDA 12 "
            + "and cuDNN 9 libraries on the executor's LD_LIBRARY_PATH; or use device=auto or device=cpu.",
            failure.getCause());
      }
      CUDA_FAILED.add(target);
      if (CPU_FALLBACK_WARNED.compareAndSet(false, true)) {
        LOG.warn("device=auto: the CUDA provider failed on {} ({}); this executor runs on the CPU instead "
            + "(counted in kluespark.cpuFallbacks).", target, failure.getCause().getMessage());
      }
      events.cpuFallback();
      return getOrCreate(bundle, signature, ExecutionTarget.CPU, threads, events);
    }
  }

  private static EncoderSession getOrCreate(ModelBundle bundle, ModelSignature signature, ExecutionTarget target,
      int threads, SessionEvents events) {
    String key = bundle.fingerprint() + "@" + target.key();
    EncoderSession cached = SESSIONS.get(key);
    if (cached != null) {
      return cached;
    }
    // computeIfAbsent blocks other threads asking for the same key until the one session exists.
    boolean[] created = {false};
    EncoderSession session = SESSIONS.computeIfAbsent(key, k -> {
      created[0] = true;
      return create(bundle, signature, target, threads);
    });
    if (created[0]) {
      events.modelLoaded(); // outside computeIfAbsent: the callback must not run while the map's bin is locked
    }
    return session;
  }

  private static EncoderSession create(ModelBundle bundle, ModelSignature signature, ExecutionTarget target,
      int threads) {
    try {
      EncoderSession session = new EncoderSession(
          OrtSessionFactory.create(bundle, target, threads), signature, target, threads);
      CREATED.incrementAndGet();
      LOG.info("Created ONNX Runtime session for {} on {} with {} intra-op thread(s)", bundle, target, threads);
      return session;
    } catch (OrtException e) {
      if (target.cuda()) {
        throw new CudaStartFailure(e);
      }
      throw new IllegalStateException("ONNX Runtime could not load the model " + bundle + ": " + e.getMessage(), e);
    }
  }

  /** Signals, inside computeIfAbsent, that the CUDA provider failed, so the caller can decide what to do. */
  private static final class CudaStartFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CudaStartFailure(OrtException cause) {
      super(cause);
    }
  }

  private static int taskCpus() {
    SparkEnv env = SparkEnv.get();
    return env == null ? 1 : Math.max(1, env.conf().getInt("spark.task.cpus", 1));
  }

  /** Sessions created in this JVM since start (or since {@link #resetForTesting()}). */
  public static int sessionsCreated() {
    return CREATED.get();
  }

  /** Closes every cached session. */
  public static void closeAll() {
    for (String key : SESSIONS.keySet()) {
      EncoderSession session = SESSIONS.remove(key);
      if (session != null) {
        try {
          session.close();
        } catch (OrtException | RuntimeException e) {
          LOG.debug("Ignoring failure closing session {}", key, e);
        }
      }
    }
  }

  /** Test hook: closes all sessions and zeroes the counter. */
  public static void resetForTesting() {
    closeAll();
    CREATED.set(0);
    CUDA_FAILED.clear();
  }
}
