package org.kluespark.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.kluespark.model.ModelSignature;

/**
 * Inference: runs padded token batches through one ONNX Runtime session.
 *
 * <p>Thread-safe: ONNX Runtime allows concurrent {@code run} calls on one session, which is how the task
 * threads of an executor share it. Every tensor and result is closed after each batch so no off-heap
 * memory outlives the call.
 */
public final class EncoderSession implements BatchRunner, AutoCloseable {
  private final AtomicReference<OrtSession> session;
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
    OrtSession live = session.get();
    if (live == null) {
      throw new IllegalStateException("EncoderSession is closed");
    }
    OrtEnvironment env = OrtSessionFactory.environment();
    long[] shape = {batch.rows(), batch.seqLen()};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put(ModelSignature.INPUT_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(batch.inputIds()), shape));
      inputs.put(ModelSignature.ATTENTION_MASK,
          OnnxTensor.createTensor(env, LongBuffer.wrap(batch.attentionMask()), shape));
      if (signature.hasTokenTypeIds()) {
        inputs.put(ModelSignature.TOKEN_TYPE_IDS,
            OnnxTensor.createTensor(env, LongBuffer.wrap(batch.tokenTypeIds()), shape));
      }
      try (OrtSession.Result result = live.run(inputs, requestedOutputs)) {
        float[] hiddenStates = floats(result, signature.lastHiddenStateOutput());
        int hidden = hiddenStates.length / (batch.rows() * batch.seqLen());
        float[] pooler = signature.hasPooler() ? floats(result, signature.poolerOutput()) : null;
        return new EncoderOutput(batch.rows(), batch.seqLen(), hidden, hiddenStates, pooler);
      }
    } finally {
      for (OnnxTensor tensor : inputs.values()) {
        tensor.close();
      }
    }
  }

  private static float[] floats(OrtSession.Result result, String name) {
    OnnxValue value = result.get(name).orElseThrow(
        () -> new IllegalStateException("The model returned no output '" + name + "'"));
    FloatBuffer buffer = ((OnnxTensor) value).getFloatBuffer();
    float[] out = new float[buffer.remaining()];
    buffer.get(out);
    return out;
  }

  /** Safe to call twice. */
  @Override
  public void close() throws OrtException {
    OrtSession live = session.getAndSet(null);
    if (live != null) {
      live.close();
    }
  }
}
