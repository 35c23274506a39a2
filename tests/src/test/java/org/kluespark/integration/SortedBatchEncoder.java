package org.kluespark.integration;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Plain ONNX Runtime + DJL tokenizer embeddings of many texts, as the benchmark's raw-sorted loop runs them:
 * length-sorted batches of 32, each padded to its longest row; mean over real tokens, and BERT's pooler
 * output when the model has one. Shares no code with the stage or the quantizer.
 */
final class SortedBatchEncoder {
  static final int BATCH = 32;

  /** Per text: mean-pooled last_hidden_state, and pooler_output (null when the model has none). */
  record Vectors(float[][] mean, float[][] pooler) {}

  private SortedBatchEncoder() {}

  static long[][] tokenize(Path tokenizerJson, List<String> texts, int maxSeqLength) throws IOException {
    try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of(
        "addSpecialTokens", "true", "truncation", "longest_first", "padding", "false",
        "maxLength", Integer.toString(maxSeqLength), "modelMaxLength", Integer.toString(maxSeqLength)))) {
      return texts.stream().map(text -> tokenizer.encode(text).getIds()).toArray(long[][]::new);
    }
  }

  static Vectors embed(Path model, long[][] ids, int intraOpThreads) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    float[][] mean = new float[ids.length][];
    float[][] pooler = new float[ids.length][];
    Integer[] order = IntStream.range(0, ids.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingInt(i -> ids[i].length));
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.setIntraOpNumThreads(intraOpThreads);
      try (OrtSession session = env.createSession(model.toString(), options)) {
        boolean types = session.getInputNames().contains("token_type_ids");
        boolean hasPooler = session.getOutputNames().contains("pooler_output");
        for (int start = 0; start < order.length; start += BATCH) {
          int[] batch = Arrays.stream(order, start, Math.min(order.length, start + BATCH)).mapToInt(i -> i).toArray();
          run(env, session, ids, batch, types, hasPooler, mean, pooler);
        }
        return new Vectors(mean, hasPooler ? pooler : null);
      }
    }
  }

  private static void run(OrtEnvironment env, OrtSession session, long[][] ids, int[] batch, boolean types,
      boolean hasPooler, float[][] mean, float[][] pooler) throws OrtException {
    int seq = Arrays.stream(batch).map(r -> ids[r].length).max().orElseThrow();
    long[] idData = new long[batch.length * seq];
    long[] maskData = new long[batch.length * seq];
    for (int r = 0; r < batch.length; r++) {
      System.arraycopy(ids[batch[r]], 0, idData, r * seq, ids[batch[r]].length);
      Arrays.fill(maskData, r * seq, r * seq + ids[batch[r]].length, 1L);
    }
    long[] shape = {batch.length, seq};
    try (OnnxTensor idTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(idData), shape);
        OnnxTensor maskTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(maskData), shape);
        OnnxTensor typeTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[idData.length]), shape)) {
      Map<String, OnnxTensor> inputs = new HashMap<>();
      inputs.put("input_ids", idTensor);
      inputs.put("attention_mask", maskTensor);
      if (types) {
        inputs.put("token_type_ids", typeTensor);
      }
      try (OrtSession.Result result = session.run(inputs)) {
        OnnxTensor hidden = (OnnxTensor) result.get("last_hidden_state").orElseThrow();
        int width = (int) hidden.getInfo().getShape()[2];
        FloatBuffer values = hidden.getFloatBuffer();
        for (int r = 0; r < batch.length; r++) {
          int real = ids[batch[r]].length;
          float[] pooled = new float[width];
          for (int t = 0; t < real; t++) {
            for (int d = 0; d < width; d++) {
              pooled[d] += values.get((r * seq + t) * width + d);
            }
          }
          for (int d = 0; d < width; d++) {
            pooled[d] /= real;
          }
          mean[batch[r]] = pooled;
        }
        Optional<OnnxValue> poolerValue = hasPooler ? result.get("pooler_output") : Optional.empty();
        if (poolerValue.isPresent()) {
          FloatBuffer p = ((OnnxTensor) poolerValue.get()).getFloatBuffer();
          for (int r = 0; r < batch.length; r++) {
            float[] row = new float[width];
            p.get(r * width, row);
            pooler[batch[r]] = row;
          }
        }
      }
    }
  }
}
