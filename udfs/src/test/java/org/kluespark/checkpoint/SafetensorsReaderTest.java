package org.kluespark.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.kluespark.checkpoint.CheckpointFixtures.assertSameTensors;
import static org.kluespark.checkpoint.CheckpointFixtures.bits;
import static org.kluespark.checkpoint.CheckpointFixtures.rawSafetensors;
import static org.kluespark.checkpoint.CheckpointFixtures.tensor;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsReaderTest {
  @TempDir
  Path tmp;

  private static Map<String, WeightTensor> sample(int seed) {
    Random random = new Random(seed);
    Map<String, WeightTensor> tensors = new LinkedHashMap<>();
    for (Object[] spec : new Object[][] {
        {"embeddings.word_embeddings.weight", new long[] {7, 4}},
        {"encoder.layer.0.attention.self.query.bias", new long[] {4}},
        {"scalar", new long[] {}},
        {"empty", new long[] {0, 3}},
        {"conv", new long[] {2, 3, 2, 2}}}) {
      long[] shape = (long[]) spec[1];
      float[] values = new float[(int) WeightTensor.elementCount(shape)];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) random.nextGaussian();
      }
      tensors.put((String) spec[0], new WeightTensor((String) spec[0], shape, values));
    }
    return tensors;
  }

  /** The values a reader gets back after storing {@code tensors} as {@code dtype}. */
  private static Map<String, WeightTensor> narrowed(Map<String, WeightTensor> tensors, TensorDtype dtype) {
    Map<String, WeightTensor> result = new LinkedHashMap<>();
    tensors.forEach((name, tensor) -> {
      float[] values = tensor.values().clone();
      for (int i = 0; i < values.length; i++) {
        values[i] = dtype == TensorDtype.F16 ? HalfFloats.halfToFloat(HalfFloats.floatToHalf(values[i]))
            : HalfFloats.bfloat16ToFloat(HalfFloats.floatToBfloat16(values[i]));
      }
      result.put(name, new WeightTensor(name, tensor.shape(), values));
    });
    return result;
  }

  @Test
  void float32RoundTripIsExactAndKeepsOrderAndMetadata() {
    Map<String, WeightTensor> tensors = sample(1);
    Path file = tmp.resolve("model.safetensors");
    SafetensorsWriter.write(file, tensors, TensorDtype.F32, Map.of("format", "pt"));

    assertSameTensors(SafetensorsReader.read(file), tensors);
    assertThat(SafetensorsReader.metadata(file)).containsExactlyEntriesOf(Map.of("format", "pt"));
  }

  @Test
  void float16RoundTripGivesTheNearestHalfValues() throws IOException {
    Map<String, WeightTensor> tensors = sample(2);
    Path file = tmp.resolve("model.safetensors");
    SafetensorsWriter.write(file, tensors, TensorDtype.F16);

    assertSameTensors(SafetensorsReader.read(file), narrowed(tensors, TensorDtype.F16));
    // 8-byte length + padded header + 2 bytes per element (28 + 4 + 1 + 0 + 24 = 57 values)
    long headerLength = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(headerLength % 8).isZero();
    assertThat(Files.size(file)).isEqualTo(8 + headerLength + 57 * 2);
    assertThat(SafetensorsReader.metadata(file)).isEmpty();
  }

  @Test
  void bfloat16RoundTripGivesTheNearestBfloat16Values() {
    Map<String, WeightTensor> tensors = sample(3);
    Path file = tmp.resolve("model.safetensors");
    SafetensorsWriter.write(file, tensors, TensorDtype.BF16);

    assertSameTensors(SafetensorsReader.read(file), narrowed(tensors, TensorDtype.BF16));
  }

  @Test
  void handWrittenBfloat16AndFloat64AreWidenedAndIntegerBuffersSkipped() throws IOException {
    ByteBuffer data = ByteBuffer.allocate(8 + 16 + 24).order(ByteOrder.LITTLE_ENDIAN);
    data.putShort((short) 0x3f80).putShort((short) 0xc040).putShort((short) 0x4049).putShort((short) 0x8000);
    data.putDouble(0.1).putDouble(-2.5);
    data.putLong(0).putLong(1).putLong(2);
    String header = "{\"__metadata__\":{\"format\":\"pt\"},"
        + "\"bf\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
        + "\"f64\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[8,24]},"
        + "\"embeddings.position_ids\":{\"dtype\":\"I64\",\"shape\":[1,3],\"data_offsets\":[24,48]}}";
    Path file = rawSafetensors(tmp.resolve("model.safetensors"), header, data.array());

    Map<String, WeightTensor> read = SafetensorsReader.read(file);

    assertThat(read.keySet()).containsExactly("bf", "f64");
    assertThat(read.get("bf").shape()).containsExactly(2, 2);
    assertThat(bits(read.get("bf").values())).containsExactly(bits(new float[] {1f, -3f, 3.140625f, -0f}));
    assertThat(read.get("f64").values()).containsExactly(0.1f, -2.5f);
  }

  @Test
  void fileWrittenByAnIndependentPythonWriterReadsExactly() throws IOException {
    Path dir = CheckpointFixtures.resource("safetensors");
    Map<String, WeightTensor> expected = CheckpointFixtures.expected(dir.resolve("expected.json"));

    Map<String, WeightTensor> read = SafetensorsReader.read(dir.resolve("model.safetensors"));

    assertThat(read.keySet()).containsExactly("a.f32", "b.f16", "c.bf16"); // d.position_ids (I64) skipped
    assertSameTensors(read, expected);
  }

  /** A safetensors file with {@code header} whose data region is {@code dataSize} bytes, sparse but for {@code tail}. */
  private Path sparseSafetensors(String header, long dataSize, byte[] tail) throws IOException {
    Path file = rawSafetensors(tmp.resolve("model.safetensors"), header, new byte[0]);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(raf.length() + dataSize);
      raf.seek(raf.length() - tail.length);
      raf.write(tail);
    }
    return file;
  }

  @Test
  void readsTensorsBeyondTwoGigabytesWithPositionedReads() throws IOException {
    long pad = 3L << 30; // a skipped int8 buffer puts the weight 3 GB into the data region (a sparse file)
    Path file = sparseSafetensors("{\"pad\":{\"dtype\":\"I8\",\"shape\":[" + pad + "],\"data_offsets\":[0," + pad
        + "]},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + pad + "," + (pad + 8) + "]}}",
        pad + 8, CheckpointFixtures.littleEndianFloats(0.5f, -7f));

    Map<String, WeightTensor> read = SafetensorsReader.read(file);

    assertThat(read.keySet()).containsExactly("w");
    assertThat(read.get("w").values()).containsExactly(0.5f, -7f);
  }

  @Test
  void tensorLargerThanAJavaArrayIsAClearError() throws IOException {
    long elements = 1L << 31;
    Path file = sparseSafetensors("{\"huge\":{\"dtype\":\"F16\",\"shape\":[" + elements + "],\"data_offsets\":[0,"
        + elements * 2 + "]}}", elements * 2, new byte[0]);

    assertThatThrownBy(() -> SafetensorsReader.read(file)).isInstanceOf(CheckpointException.class)
        .hasMessage(file + ": tensor \"huge\" has 2147483648 elements, more than a Java array holds (2147483639);"
            + " kluespark cannot convert a model with a single weight this large.");
  }

  @Test
  void unsupportedDtypeIsAnErrorNamingTheTensor() throws IOException {
    Path file = rawSafetensors(tmp.resolve("model.safetensors"),
        "{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", new byte[2]);

    assertThatThrownBy(() -> SafetensorsReader.read(file)).isInstanceOf(CheckpointException.class)
        .hasMessage(file + ": tensor \"w\" has dtype F8_E4M3, which kluespark cannot read; save the checkpoint"
            + " with float32, float16 or bfloat16 weights.");
  }

  @Test
  void shardedRoundTripReadsEveryShardInOrder() throws IOException {
    Map<String, WeightTensor> tensors = sample(4);
    // 28 + 4 + 1 + 0 + 24 floats: a 64-byte limit puts the 112-byte embedding alone, then 4+1+0, then conv.
    Path index = SafetensorsWriter.writeSharded(tmp, tensors, TensorDtype.F32, 64);

    assertThat(index).isEqualTo(tmp.resolve("model.safetensors.index.json"));
    ShardIndex shardIndex = ShardIndex.read(index);
    assertThat(shardIndex.shardFiles()).containsExactly(tmp.resolve("model-00001-of-00003.safetensors"),
        tmp.resolve("model-00002-of-00003.safetensors"), tmp.resolve("model-00003-of-00003.safetensors"));
    assertThat(shardIndex.weightMap()).containsEntry("scalar", "model-00002-of-00003.safetensors")
        .containsEntry("conv", "model-00003-of-00003.safetensors");
    assertThat(SafetensorsReader.read(tmp.resolve("model-00002-of-00003.safetensors")).keySet())
        .containsExactly("encoder.layer.0.attention.self.query.bias", "scalar", "empty");

    assertSameTensors(SafetensorsReader.readSharded(index), tensors);
  }

  @Test
  void missingShardIsAnErrorNamingIt() throws IOException {
    Path index = SafetensorsWriter.writeSharded(tmp, sample(5), TensorDtype.F32, 64);
    Path shard = tmp.resolve("model-00002-of-00003.safetensors");
    Files.delete(shard);

    assertThatThrownBy(() -> SafetensorsReader.readSharded(index)).isInstanceOf(CheckpointException.class)
        .hasMessage(index + " names shard model-00002-of-00003.safetensors, but " + shard
            + " does not exist; download every shard of the checkpoint.");
  }

  @Test
  void indexNamingATensorTheShardLacksIsAnError() throws IOException {
    Path shard = tmp.resolve("model-00001-of-00001.safetensors");
    SafetensorsWriter.write(shard, Map.of("a", tensor("a", new long[] {1}, 1f)), TensorDtype.F32);
    Path index = tmp.resolve("model.safetensors.index.json");
    Files.writeString(index, "{\"weight_map\":{\"a\":\"model-00001-of-00001.safetensors\","
        + "\"b\":\"model-00001-of-00001.safetensors\"}}");

    assertThatThrownBy(() -> SafetensorsReader.readSharded(index)).isInstanceOf(CheckpointException.class)
        .hasMessage(index + " says tensor \"b\" is in " + shard + ", but that shard has no such tensor; the index"
            + " and shards do not match — download them again.");
  }

  @Test
  void indexPointingOutsideItsDirectoryIsRefused() throws IOException {
    Path index = tmp.resolve("model.safetensors.index.json");
    for (String shard : List.of("../secret.safetensors", "/etc/passwd")) {
      Files.writeString(index, "{\"weight_map\":{\"a\":\"" + shard + "\"}}");
      assertThatThrownBy(() -> SafetensorsReader.readSharded(index)).isInstanceOf(CheckpointException.class)
          .hasMessage(index + ": weight_map maps \"a\" to \"" + shard + "\", which is not a file name in the"
              + " index's directory; the index is corrupt.");
    }
    Files.writeString(index, "{\"metadata\":{}}");
    assertThatThrownBy(() -> SafetensorsReader.readSharded(index))
        .hasMessage(index + " has no \"weight_map\" object naming each tensor's shard file; it is not a"
            + " sharded-checkpoint index.");
  }
}
