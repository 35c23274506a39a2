package org.kluespark.pooling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.kluespark.checkpoint.SafetensorsWriter;
import org.kluespark.checkpoint.TensorDtype;
import org.kluespark.checkpoint.WeightTensor;

/**
 * A bundle's {@link SentenceDeclaration#DENSE_FILE}: the Dense layer's {@code linear.weight [out, in]} and
 * {@code linear.bias [out]} as a float32 safetensors file. Read from bytes (the bundle may be on any Hadoop file
 * system), so only this writer's own layout is accepted: F32 tensors with exactly those names and shapes.
 */
public final class DenseWeightsFile {
  static final String WEIGHT = "linear.weight";
  static final String BIAS = "linear.bias";

  private DenseWeightsFile() {}

  public static void write(Path file, DenseLayer dense) {
    DenseLayer.Config c = dense.config();
    Map<String, WeightTensor> tensors = new LinkedHashMap<>();
    tensors.put(WEIGHT, new WeightTensor(WEIGHT, new long[] {c.outFeatures(), c.inFeatures()}, dense.tensors().get(0)));
    if (c.bias()) {
      tensors.put(BIAS, new WeightTensor(BIAS, new long[] {c.outFeatures()}, dense.tensors().get(1)));
    }
    SafetensorsWriter.write(file, tensors, TensorDtype.F32);
  }

  /** The layer {@code config} declares, with the weights in {@code bytes}; errors name {@code where}. */
  public static DenseLayer read(byte[] bytes, DenseLayer.Config config, String where) {
    try {
      ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      long headerLength = buffer.getLong();
      if (headerLength <= 0 || headerLength > bytes.length - 8) {
        throw new IllegalArgumentException("bad header length " + headerLength);
      }
      JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
      int dataStart = 8 + (int) headerLength;
      float[] weight = tensor(header, WEIGHT, new long[] {config.outFeatures(), config.inFeatures()}, bytes, dataStart);
      float[] bias = config.bias() ? tensor(header, BIAS, new long[] {config.outFeatures()}, bytes, dataStart) : null;
      return new DenseLayer(config, weight, bias);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(where + " is not the Dense layer kluespark.json declares (" + config.summary()
          + "): " + e.getMessage() + ". Re-create the bundle with kluespark convert.", e);
    }
  }

  private static float[] tensor(JsonNode header, String name, long[] shape, byte[] bytes, int dataStart) {
    JsonNode entry = header.get(name);
    if (entry == null) {
      throw new IllegalArgumentException("no tensor " + name);
    }
    if (!"F32".equals(entry.path("dtype").asText())) {
      throw new IllegalArgumentException(name + " is " + entry.path("dtype").asText() + ", expected F32");
    }
    long[] actual = new long[entry.path("shape").size()];
    for (int i = 0; i < actual.length; i++) {
      actual[i] = entry.path("shape").get(i).asLong();
    }
    if (!java.util.Arrays.equals(actual, shape)) {
      throw new IllegalArgumentException(name + " has shape " + java.util.Arrays.toString(actual) + ", expected "
          + java.util.Arrays.toString(shape));
    }
    long begin = entry.path("data_offsets").get(0).asLong();
    long end = entry.path("data_offsets").get(1).asLong();
    long elements = WeightTensor.elementCount(shape);
    if (end - begin != elements * 4 || dataStart + end > bytes.length || begin < 0) {
      throw new IllegalArgumentException(name + " has data offsets [" + begin + ", " + end + "] that do not fit");
    }
    float[] values = new float[(int) elements];
    ByteBuffer.wrap(bytes, dataStart + (int) begin, (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer().get(values);
    return values;
  }
}
