package org.kluespark.benchmark;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A model bundle opened the plain way, with no kluespark code: DJL's HuggingFace tokenizer (configured as
 * the stage configures its own: special tokens, truncation at maxSeqLength, no padding) and one ONNX
 * Runtime session. Runs padded batches and mean-pools over real tokens. Used by the raw systems and by the
 * naive UDF.
 */
final class PlainModel implements AutoCloseable {
  private static final String LAST_HIDDEN_STATE = "last_hidden_state";

  private final HuggingFaceTokenizer tokenizer;
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final boolean tokenTypes;
  private final int intraOpThreads;

  /**
   * @param intraOpThreads ONNX Runtime intra-op threads; &gt; 0 also applies the stage's session options
   *     (all graph optimizations, 1 inter-op thread, no spinning); 0 leaves every option at ONNX Runtime's
   *     default, as a user's {@code new SessionOptions()} does
   */
  PlainModel(Path bundleDir, int maxSeqLength, int intraOpThreads) {
    this.intraOpThreads = intraOpThreads;
    tokenizer = tokenizer(bundleDir, maxSeqLength);
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      if (intraOpThreads > 0) {
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setIntraOpNumThreads(intraOpThreads);
        options.setInterOpNumThreads(1);
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        options.addConfigEntry("session.inter_op.allow_spinning", "0");
      }
      session = env.createSession(bundleDir.resolve("model.onnx").toString(), options);
      tokenTypes = session.getInputNames().contains("token_type_ids");
    } catch (OrtException e) {
      tokenizer.close();
      throw new IllegalStateException("ONNX Runtime cannot load " + bundleDir.resolve("model.onnx") + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * The bundle's tokenizer configured as the stage configures its own: special tokens added, truncation at
   * {@code maxSeqLength} (longest first), no padding.
   */
  static HuggingFaceTokenizer tokenizer(Path bundleDir, int maxSeqLength) {
    try {
      return HuggingFaceTokenizer.newInstance(bundleDir.resolve("tokenizer.json"), Map.of(
          "addSpecialTokens", "true", "truncation", "longest_first", "padding", "false",
          "maxLength", Integer.toString(maxSeqLength), "modelMaxLength", Integer.toString(maxSeqLength)));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + bundleDir.resolve("tokenizer.json"), e);
    }
  }

  int intraOpThreads() {
    return intraOpThreads;
  }

  /** One text's ids, type ids and attention mask (all 1: no padding). */
  Encoding encode(String text) {
    return tokenizer.encode(text);
  }

  /**
   * Runs rows {@code batch} of {@code encodings}, each padded (id 0, mask 0) to the batch's longest row, and
   * writes each row's mean over its real tokens into {@code out[row]}.
   */
  void runMeanPooled(Encoding[] encodings, int[] batch, float[][] out) throws OrtException {
    int seq = 0;
    for (int row : batch) {
      seq = Math.max(seq, encodings[row].getIds().length);
    }
    int rows = batch.length;
    long[] ids = new long[rows * seq];
    long[] mask = new long[rows * seq];
    long[] types = new long[rows * seq];
    for (int r = 0; r < rows; r++) {
      Encoding encoding = encodings[batch[r]];
      long[] rowIds = encoding.getIds();
      System.arraycopy(rowIds, 0, ids, r * seq, rowIds.length);
      System.arraycopy(encoding.getAttentionMask(), 0, mask, r * seq, rowIds.length);
      System.arraycopy(encoding.getTypeIds(), 0, types, r * seq, rowIds.length);
    }
    long[] shape = {rows, seq};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try (OnnxTensor idsTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
        OnnxTensor maskTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
        OnnxTensor typesTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape)) {
      inputs.put("input_ids", idsTensor);
      inputs.put("attention_mask", maskTensor);
      if (tokenTypes) {
        inputs.put("token_type_ids", typesTensor);
      }
      try (OrtSession.Result result = session.run(inputs, Set.of(LAST_HIDDEN_STATE))) {
        OnnxTensor hiddenTensor = (OnnxTensor) result.get(LAST_HIDDEN_STATE).orElseThrow();
        long[] hiddenShape = hiddenTensor.getInfo().getShape();
        int hidden = (int) hiddenShape[2];
        FloatBuffer values = hiddenTensor.getFloatBuffer();
        for (int r = 0; r < rows; r++) {
          int real = encodings[batch[r]].getIds().length;
          float[] pooled = new float[hidden];
          for (int t = 0; t < real; t++) {
            int base = (r * seq + t) * hidden;
            for (int d = 0; d < hidden; d++) {
              pooled[d] += values.get(base + d);
            }
          }
          for (int d = 0; d < hidden; d++) {
            pooled[d] /= real;
          }
          out[batch[r]] = pooled;
        }
      }
    }
  }

  @Override
  public void close() throws OrtException {
    session.close();
    tokenizer.close();
  }
}
