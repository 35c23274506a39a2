package org.kluespark.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The committed fixtures of tests/scripts/make_checkpoint_reader_fixtures.py and raw-file helpers. */
final class CheckpointFixtures {
  private CheckpointFixtures() {}

  /** {@code udfs/src/test/resources/checkpoint/<relative>}. */
  static Path resource(String relative) {
    URL url = CheckpointFixtures.class.getResource("/checkpoint/" + relative);
    if (url == null) {
      throw new IllegalStateException("Missing test resource checkpoint/" + relative
          + "; run tests/scripts/make_checkpoint_reader_fixtures.py");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The expected.json a fixture script wrote: name -> {shape, values} (float32 values as exact doubles). */
  static Map<String, WeightTensor> expected(Path json) throws IOException {
    JsonNode root = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
        .readTree(json.toFile());
    Map<String, WeightTensor> tensors = new LinkedHashMap<>();
    root.fields().forEachRemaining(field -> {
      JsonNode shapeNode = field.getValue().get("shape");
      long[] shape = new long[shapeNode.size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shapeNode.get(i).asLong();
      }
      JsonNode valuesNode = field.getValue().get("values");
      float[] values = new float[valuesNode.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) valuesNode.get(i).asDouble();
      }
      tensors.put(field.getKey(), new WeightTensor(field.getKey(), shape, values));
    });
    return tensors;
  }

  /** Asserts the same names in the same order, shapes, and bit-identical values (so -0.0 != 0.0). */
  static void assertSameTensors(Map<String, WeightTensor> actual, Map<String, WeightTensor> expected) {
    assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
    for (WeightTensor want : expected.values()) {
      WeightTensor got = actual.get(want.name());
      assertThat(got.name()).isEqualTo(want.name());
      assertThat(got.shape()).as(want.name()).containsExactly(want.shape());
      assertThat(bits(got.values())).as(want.name()).containsExactly(bits(want.values()));
    }
  }

  static int[] bits(float[] values) {
    int[] bits = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToIntBits(values[i]);
    }
    return bits;
  }

  /** A safetensors file from its parts: the given header length (normally the header's), header, data. */
  static Path rawSafetensors(Path file, long headerLength, String header, byte[] data) throws IOException {
    byte[] headerBytes = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer bytes = ByteBuffer.allocate(8 + headerBytes.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    bytes.putLong(headerLength).put(headerBytes).put(data);
    Files.write(file, bytes.array());
    return file;
  }

  static Path rawSafetensors(Path file, String header, byte[] data) throws IOException {
    return rawSafetensors(file, header.getBytes(StandardCharsets.UTF_8).length, header, data);
  }

  static byte[] littleEndianFloats(float... values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float value : values) {
      bytes.putFloat(value);
    }
    return bytes.array();
  }

  static WeightTensor tensor(String name, long[] shape, float... values) {
    return new WeightTensor(name, shape, values);
  }
}
