package org.kluespark.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes weights as safetensors (F32, F16 or BF16), for synthetic checkpoints and tests. Tensors are
 * stored in map order, contiguous; the header is padded with spaces to a multiple of 8 bytes as the
 * safetensors library does.
 */
public final class SafetensorsWriter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CHUNK_ELEMENTS = 1 << 18;

  private SafetensorsWriter() {}

  public static void write(Path file, Map<String, WeightTensor> tensors, TensorDtype dtype) {
    write(file, tensors, dtype, Map.of());
  }

  /** {@code metadata} becomes the header's {@code __metadata__} (omitted when empty), e.g. {"format": "pt"}. */
  public static void write(Path file, Map<String, WeightTensor> tensors, TensorDtype dtype,
      Map<String, String> metadata) {
    checkWritable(dtype);
    Map<String, Object> header = new LinkedHashMap<>();
    if (!metadata.isEmpty()) {
      header.put("__metadata__", metadata);
    }
    long offset = 0;
    for (Map.Entry<String, WeightTensor> tensor : tensors.entrySet()) {
      long bytes = (long) tensor.getValue().values().length * dtype.byteSize();
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("dtype", dtype.name());
      entry.put("shape", tensor.getValue().shape());
      entry.put("data_offsets", new long[] {offset, offset + bytes});
      header.put(tensor.getKey(), entry);
      offset += bytes;
    }
    byte[] headerBytes = paddedHeader(header);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, headerBytes.length);
      writeFully(channel, length);
      writeFully(channel, ByteBuffer.wrap(headerBytes));
      ByteBuffer buffer = ByteBuffer.allocate(CHUNK_ELEMENTS * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
      for (WeightTensor tensor : tensors.values()) {
        writeValues(channel, buffer, tensor.values(), dtype);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes {@code tensors} as {@code model-0000i-of-0000n.safetensors} shards of at most
   * {@code maxShardBytes} data bytes each (a larger single tensor gets a shard of its own) plus
   * {@code model.safetensors.index.json}; returns the index file.
   */
  public static Path writeSharded(Path dir, Map<String, WeightTensor> tensors, TensorDtype dtype,
      long maxShardBytes) {
    checkWritable(dtype);
    List<Map<String, WeightTensor>> shards = new ArrayList<>();
    Map<String, WeightTensor> current = new LinkedHashMap<>();
    long currentBytes = 0;
    long totalBytes = 0;
    for (Map.Entry<String, WeightTensor> tensor : tensors.entrySet()) {
      long bytes = (long) tensor.getValue().values().length * dtype.byteSize();
      if (!current.isEmpty() && currentBytes + bytes > maxShardBytes) {
        shards.add(current);
        current = new LinkedHashMap<>();
        currentBytes = 0;
      }
      current.put(tensor.getKey(), tensor.getValue());
      currentBytes += bytes;
      totalBytes += bytes;
    }
    if (!current.isEmpty()) {
      shards.add(current);
    }
    Map<String, String> weightMap = new LinkedHashMap<>();
    for (int i = 0; i < shards.size(); i++) {
      String shardName = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
      write(dir.resolve(shardName), shards.get(i), dtype, Map.of("format", "pt"));
      shards.get(i).keySet().forEach(name -> weightMap.put(name, shardName));
    }
    Path index = dir.resolve(SafetensorsReader.INDEX_FILE_NAME);
    try {
      Files.writeString(index, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
          Map.of("metadata", Map.of("total_size", totalBytes), "weight_map", weightMap)));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + index + ": " + e.getMessage(), e);
    }
    return index;
  }

  private static void checkWritable(TensorDtype dtype) {
    if (dtype != TensorDtype.F32 && dtype != TensorDtype.F16 && dtype != TensorDtype.BF16) {
      throw new IllegalArgumentException("SafetensorsWriter writes F32, F16 or BF16, not " + dtype);
    }
  }

  private static byte[] paddedHeader(Map<String, Object> header) {
    try {
      StringBuilder json = new StringBuilder(JSON.writeValueAsString(header));
      while (json.toString().getBytes(StandardCharsets.UTF_8).length % 8 != 0) {
        json.append(' ');
      }
      return json.toString().getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot serialise a safetensors header", e);
    }
  }

  private static void writeValues(FileChannel channel, ByteBuffer buffer, float[] values, TensorDtype dtype)
      throws IOException {
    for (int start = 0; start < values.length; start += CHUNK_ELEMENTS) {
      int end = Math.min(values.length, start + CHUNK_ELEMENTS);
      buffer.clear();
      for (int i = start; i < end; i++) {
        switch (dtype) {
          case F32 -> buffer.putFloat(values[i]);
          case F16 -> buffer.putShort(HalfFloats.floatToHalf(values[i]));
          default -> buffer.putShort(HalfFloats.floatToBfloat16(values[i]));
        }
      }
      buffer.flip();
      writeFully(channel, buffer);
    }
  }

  private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }
}
