package org.kluespark.integration;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * The independent reference: a plain loop over DJL's tokenizer and ONNX Runtime, one text per run with
 * no padding, and pooling written out here. Shares no code with the stage.
 */
final class ReferenceEncoder implements AutoCloseable {
  /** One text's outputs: token vectors [tokens][hidden] and the model's pooler vector. */
  record Output(float[][] tokens, float[] pooler) {
    float[] cls() {
      return tokens[0].clone();
    }

    float[] mean() {
      float[] out = new float[tokens[0].length];
      for (int d = 0; d < out.length; d++) {
        double sum = 0;
        for (float[] token : tokens) {
          sum += token[d];
        }
        out[d] = (float) (sum / tokens.length);
      }
      return out;
    }

    float[] max() {
      float[] out = tokens[0].clone();
      for (float[] token : tokens) {
        for (int d = 0; d < out.length; d++) {
          out[d] = Math.max(out[d], token[d]);
        }
      }
      return out;
    }

    float[] pooled(String pooling) {
      return switch (pooling) {
        case "pooler" -> pooler.clone();
        case "cls" -> cls();
        case "mean" -> mean();
        case "max" -> max();
        default -> throw new IllegalArgumentException(pooling);
      };
    }
  }

  private final HuggingFaceTokenizer tokenizer;
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;

  ReferenceEncoder(Path bundle, int maxSeqLength) throws IOException, OrtException {
    tokenizer = HuggingFaceTokenizer.newInstance(bundle.resolve("tokenizer.json"), Map.of(
        "padding", "false", "truncation", "true", "maxLength", Integer.toString(maxSeqLength),
        "modelMaxLength", Integer.toString(maxSeqLength)));
    session = env.createSession(bundle.resolve("model.onnx").toString(), new OrtSession.SessionOptions());
  }

  Output encode(String text, String pair) throws OrtException {
    Encoding encoding = pair == null ? tokenizer.encode(text) : tokenizer.encode(text, pair);
    long[] shape = {1, encoding.getIds().length};
    try (OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(encoding.getIds()), shape);
        OnnxTensor mask = OnnxTensor.createTensor(env, LongBuffer.wrap(encoding.getAttentionMask()), shape);
        OnnxTensor types = OnnxTensor.createTensor(env, LongBuffer.wrap(encoding.getTypeIds()), shape);
        OrtSession.Result result = session.run(
            Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types))) {
      float[][][] hidden = (float[][][]) result.get("last_hidden_state").orElseThrow().getValue();
      FloatBuffer pooler = ((OnnxTensor) result.get("pooler_output").orElseThrow()).getFloatBuffer();
      float[] pooled = new float[pooler.remaining()];
      pooler.get(pooled);
      return new Output(hidden[0], pooled);
    }
  }

  static float[] l2(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    norm = Math.sqrt(norm);
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / norm);
    }
    return out;
  }

  @Override
  public void close() throws OrtException {
    session.close();
    tokenizer.close();
  }
}
