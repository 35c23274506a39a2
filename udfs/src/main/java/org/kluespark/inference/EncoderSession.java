package org.kluespark.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.kluespark.model.ModelSignature;

/**
 * Inference: runs padded token batches through one ONNX Runtime session.
 *
 * <p>Thread-safe: ONNX Runtime allows concurrent {@code run} calls on one session, which is how the task
 * threads of an executor share it. Every tensor and result is closed after each batch so no off-heap
 * memory outlives the call.
 */
public final class EncoderSession implements BatchRunner, AutoCloseable {
  /** How long {@link #close} waits for running batches; at JVM exit a stuck one must not hang shutdown. */
  static final long CLOSE_WAIT_SECONDS = 30;

  private final AtomicReference<OrtSession> session;
  // Runs hold the read lock, close the write lock: closing a session while a task thread is inside
  // OrtSession.run frees memory native code is still using (a SIGSEGV at shutdown otherwise).
  private final ReentrantReadWriteLock inUse = new ReentrantReadWriteLock();
  private final ModelSignature signature;
  private final ExecutionTarget target;
  private final Set<String> requestedOutputs;
  private final int intraOpThreads;

  public EncoderSession(OrtSession session, ModelSignature signature, ExecutionTarget target) {
    this(session, signature, target, 1);
  }

  public EncoderSession(OrtSession session, ModelSignature signature, ExecutionTarget target, int intraOpThreads) {
    this.session = new AtomicReference<>(session);
    this.signature = signature;
    this.target = target;
    this.intraOpThreads = intraOpThreads;
    this.requestedOutputs = signature.hasPooler()
        ? Set.of(signature.lastHiddenStateOutput(), signature.poolerOutput())
        : Set.of(signature.lastHiddenStateOutput());
  }

  public ModelSignature signature() {
    return signature;
  }

  @Override
  public ExecutionTarget target() {
    return target;
  }

  /** ONNX Runtime intra-op threads of this session (shared by every task thread that runs it). */
  public int intraOpThreads() {
    return intraOpThreads;
  }

  @Override
  public long padTokenId() {
    return signature.padTokenId();
  }

  @Override
  public EncoderOutput run(TokenBatch batch) throws OrtException {
    return run(batch, Set.of());
  }

  /**
   * Fetches only the hidden states of {@code layers} besides the usual outputs: ONNX Runtime copies out just
   * the requested outputs, so unrequested layers cost no transfer and no memory.
   */
  @Override
  public EncoderOutput run(TokenBatch batch, Set<Integer> layers) throws OrtException {
    inUse.readLock().lock();
    try {
      OrtSession live = session.get();
      if (live == null) {
        throw new SessionClosedException("The ONNX Runtime session is closed: this executor JVM is shutting down");
      }
      return run(live, batch, layers);
    } finally {
      inUse.readLock().unlock();
    }
  }

  private EncoderOutput run(OrtSession live, TokenBatch batch, Set<Integer> layers) throws OrtException {
    Set<String> outputs = outputsFor(layers);
    OrtEnvironment env = OrtSessionFactory.environment();
    long[] shape = {batch.rows(), batch.seqLen()};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put(ModelSignature.INPUT_IDS, OnnxTensor.createTensor(env, batch.inputIdsBuffer(), shape));
      inputs.put(ModelSignature.ATTENTION_MASK,
          OnnxTensor.createTensor(env, batch.attentionMaskBuffer(), shape));
      if (signature.hasTokenTypeIds()) {
        inputs.put(ModelSignature.TOKEN_TYPE_IDS,
            OnnxTensor.createTensor(env, batch.tokenTypeIdsBuffer(), shape));
      }
      try (OrtSession.Result result = live.run(inputs, outputs)) {
        OnnxTensor tokens = tensor(result, signature.lastHiddenStateOutput());
        float[] hiddenStates = floats(tokens);
        int hidden = hiddenStates.length / (batch.rows() * batch.seqLen());
        float[] pooler = signature.hasPooler() ? floats(tensor(result, signature.poolerOutput())) : null;
        Map<Integer, float[]> layerStates = new HashMap<>();
        for (int layer : layers) {
          layerStates.put(layer, layerFloats(result, layer, tokens.getInfo().getShape()));
        }
        return new EncoderOutput(batch.rows(), batch.seqLen(), hidden, hiddenStates, pooler, layerStates);
      }
    } finally {
      for (OnnxTensor tensor : inputs.values()) {
        tensor.close();
      }
    }
  }

  private Set<String> outputsFor(Set<Integer> layers) {
    if (layers.isEmpty()) {
      return requestedOutputs;
    }
    Set<String> outputs = new HashSet<>(requestedOutputs);
    for (int layer : layers) {
      if (layer < 0 || layer >= signature.hiddenStateCount()) {
        throw new IllegalArgumentException("Hidden state " + layer + " does not exist: the model has "
            + (signature.hasHiddenStates() ? "hidden states 0.." + (signature.hiddenStateCount() - 1) : "none"));
      }
      outputs.add(signature.hiddenStateOutputs().get(layer));
    }
    return outputs;
  }

  /** A hidden state, which must have last_hidden_state's shape so tokens are found at the same offsets. */
  private float[] layerFloats(OrtSession.Result result, int layer, long[] tokenShape) {
    String name = signature.hiddenStateOutputs().get(layer);
    OnnxTensor tensor = tensor(result, name);
    long[] shape = tensor.getInfo().getShape();
    if (!Arrays.equals(shape, tokenShape)) {
      throw new HiddenStateShapeException("output '" + name + "' has shape " + Arrays.toString(shape)
          + " but last_hidden_state has " + Arrays.toString(tokenShape) + "; every hidden state must be "
          + "[batch, sequence, hidden] like last_hidden_state");
    }
    return floats(tensor);
  }

  private static OnnxTensor tensor(OrtSession.Result result, String name) {
    OnnxValue value = result.get(name).orElseThrow(
        () -> new IllegalStateException("The model returned no output '" + name + "'"));
    return (OnnxTensor) value;
  }

  private static float[] floats(OnnxTensor tensor) {
    FloatBuffer buffer = tensor.getFloatBuffer();
    float[] out = new float[buffer.remaining()];
    buffer.get(out);
    return out;
  }

  /**
   * Closes the session once no batch is running. Safe to call twice. If batches still run after
   * {@link #CLOSE_WAIT_SECONDS} (a JVM exiting under a busy task), the native session is left for the
   * process exit to reclaim rather than freed under them.
   */
  @Override
  public void close() throws OrtException {
    boolean locked;
    try {
      locked = inUse.writeLock().tryLock(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      locked = false;
    }
    if (!locked) {
      session.set(null); // later runs fail cleanly; the running one keeps its native session
      return;
    }
    try {
      OrtSession live = session.getAndSet(null);
      if (live != null) {
        live.close();
      }
    } finally {
      inUse.writeLock().unlock();
    }
  }
}
