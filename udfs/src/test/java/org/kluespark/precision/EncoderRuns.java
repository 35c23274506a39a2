package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.kluespark.convert.EncoderConfig;

/** Test helpers: ragged batches of random ids, running an encoder file through ONNX Runtime, max-abs diffs. */
final class EncoderRuns {
  private EncoderRuns() {}

  /** Rows of random real ids padded with the model's pad id; row {@code pairRow} is a text pair (BERT only). */
  record Batch(long[][] ids, long[][] mask, long[][] types) {
    static Batch ragged(EncoderConfig config, int[] lengths, int pairRow, long seed) {
      int width = Arrays.stream(lengths).max().orElseThrow();
      SplittableRandom random = new SplittableRandom(seed);
      long[][] ids = new long[lengths.length][width];
      long[][] mask = new long[lengths.length][width];
      long[][] types = new long[lengths.length][width];
      for (int row = 0; row < lengths.length; row++) {
        for (int t = 0; t < width; t++) {
          boolean real = t < lengths[row];
          long id;
          do {
            id = random.nextInt(5, config.vocabSize());
          } while (id == config.padTokenId());
          ids[row][t] = real ? id : config.padTokenId();
          mask[row][t] = real ? 1 : 0;
          types[row][t] = real && row == pairRow && t >= lengths[row] / 2 && config.typeVocabSize() > 1 ? 1 : 0;
        }
      }
      return new Batch(ids, mask, types);
    }

    /** Row {@code row} alone, cut to its real tokens. */
    Batch row(int row) {
      int length = (int) Arrays.stream(mask[row]).sum();
      return new Batch(new long[][] {Arrays.copyOf(ids[row], length)}, new long[][] {Arrays.copyOf(mask[row], length)},
          new long[][] {Arrays.copyOf(types[row], length)});
    }
  }

  /** Every output of one run, by name: float[batch][seq][hidden] or float[batch][hidden]. */
  static Map<String, Object> run(Path modelFile, Batch batch, boolean withTypes) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        OrtSession session = env.createSession(modelFile.toString(), options)) {
      inputs.put("input_ids", OnnxTensor.createTensor(env, batch.ids()));
      inputs.put("attention_mask", OnnxTensor.createTensor(env, batch.mask()));
      if (withTypes) {
        inputs.put("token_type_ids", OnnxTensor.createTensor(env, batch.types()));
      }
      try (OrtSession.Result result = session.run(inputs)) {
        Map<String, Object> outputs = new LinkedHashMap<>();
        result.forEach(entry -> {
          try {
            outputs.put(entry.getKey(), entry.getValue().getValue());
          } catch (OrtException e) {
            throw new IllegalStateException(e);
          }
        });
        return outputs;
      }
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  static Path write(ModelProto model, Path file) throws IOException {
    Files.createDirectories(file.getParent());
    try (OutputStream out = Files.newOutputStream(file)) {
      model.writeTo(out);
    }
    return file;
  }
}
