package org.kluespark.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An open safetensors file whose header has been validated strictly: an 8-byte little-endian header
 * length, a JSON header {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}},
 * then the data region the offsets are relative to. Tensors are read with positioned channel reads.
 */
final class SafetensorsFile implements Closeable {
  /** Real headers are kilobytes to a few megabytes; anything larger is corruption, not a header. */
  static final long MAX_HEADER_BYTES = 100L << 20;
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  /** One tensor of the header; {@code begin}/{@code end} are relative to the data region. */
  record Entry(String name, TensorDtype dtype, long[] shape, long begin, long end) {}

  private final Path file;
  private final FileChannel channel;
  private final long dataStart;
  private final List<Entry> entries;
  private final Map<String, String> metadata;

  private SafetensorsFile(Path file, FileChannel channel, long dataStart, List<Entry> entries,
      Map<String, String> metadata) {
    this.file = file;
    this.channel = channel;
    this.dataStart = dataStart;
    this.entries = entries;
    this.metadata = metadata;
  }

  static SafetensorsFile open(Path file) {
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot open the safetensors file: " + e, e);
    }
    try {
      return parse(file, channel);
    } catch (RuntimeException | IOException e) {
      try {
        channel.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof CheckpointException checkpoint) {
        throw checkpoint;
      }
      throw new CheckpointException(file + ": cannot read the safetensors file: " + e, e);
    }
  }

  /** Tensors in header order. */
  List<Entry> entries() {
    return entries;
  }

  Map<String, String> metadata() {
    return metadata;
  }

  /** The tensor's values widened to float32; {@code entry} must have a floating dtype. */
  float[] read(Entry entry) {
    long elements = WeightTensor.elementCount(entry.shape());
    float[] values = new float[TensorData.arrayLength(elements, file.toString(), entry.name())];
    try {
      channel.position(dataStart + entry.begin());
      TensorData.read(channel, entry.dtype(), ByteOrder.LITTLE_ENDIAN, values,
          file + ": tensor \"" + entry.name() + "\"");
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot read tensor \"" + entry.name() + "\": " + e, e);
    }
    return values;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  private static SafetensorsFile parse(Path file, FileChannel channel) throws IOException {
    long fileSize = channel.size();
    if (fileSize < 8) {
      throw new CheckpointException(file + " is " + fileSize
          + " bytes, too short for a safetensors file (8-byte header length first); download it again.");
    }
    ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(channel, lengthBytes, 0);
    long headerLength = lengthBytes.getLong(0);
    if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
      throw new CheckpointException(file + ": header length " + Long.toUnsignedString(headerLength)
          + " is absurd (over " + MAX_HEADER_BYTES + " bytes); this is not a safetensors file or it is corrupt.");
    }
    if (8 + headerLength > fileSize) {
      throw new CheckpointException(file + ": header length " + headerLength + " is larger than the file ("
          + fileSize + " bytes); the file is truncated or not a safetensors file — download it again.");
    }
    ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
    readFully(channel, headerBytes, 8);
    String header = new String(headerBytes.array(), StandardCharsets.UTF_8);
    JsonNode root;
    try {
      root = JSON.readTree(header);
    } catch (JsonProcessingException e) {
      throw new CheckpointException(file + ": the header is not valid JSON (" + e.getOriginalMessage()
          + "); the file is corrupt — download it again.", e);
    }
    if (root == null || !root.isObject()) {
      throw new CheckpointException(file + ": the header is not a JSON object; the file is corrupt.");
    }
    long dataSize = fileSize - 8 - headerLength;
    List<Entry> entries = new ArrayList<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getKey().equals("__metadata__")) {
        readMetadata(file, field.getValue(), metadata);
      } else {
        entries.add(entry(file, field.getKey(), field.getValue(), dataSize));
      }
    }
    checkOverlaps(file, entries);
    return new SafetensorsFile(file, channel, 8 + headerLength, List.copyOf(entries), metadata);
  }

  private static void readMetadata(Path file, JsonNode node, Map<String, String> metadata) {
    if (!node.isObject()) {
      throw new CheckpointException(file + ": \"__metadata__\" is not a JSON object; the file is corrupt.");
    }
    node.fields().forEachRemaining(field -> metadata.put(field.getKey(), field.getValue().asText()));
  }

  private static Entry entry(Path file, String name, JsonNode node, long dataSize) {
    String where = file + ": tensor \"" + name + "\"";
    if (!node.isObject()) {
      throw new CheckpointException(where + " is not described by a JSON object; the file is corrupt.");
    }
    JsonNode dtypeNode = node.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw new CheckpointException(where + " has no \"dtype\"; the file is corrupt.");
    }
    TensorDtype dtype = TensorDtype.fromSafetensors(dtypeNode.asText()).orElseThrow(() ->
        new CheckpointException(where + " has unknown dtype \"" + dtypeNode.asText()
            + "\"; kluespark reads F32, F16, BF16 and F64 weights (integer buffers are skipped)."));
    long[] shape = longs(node.get("shape"), -1, where, "shape");
    long[] offsets = longs(node.get("data_offsets"), 2, where, "data_offsets");
    long begin = offsets[0];
    long end = offsets[1];
    if (end < begin) {
      throw new CheckpointException(where + ": data_offsets [" + begin + ", " + end
          + "] end before they begin; the file is corrupt.");
    }
    if (end > dataSize) {
      throw new CheckpointException(where + ": data_offsets [" + begin + ", " + end
          + "] lie outside the data region (" + dataSize + " bytes); the file is truncated or corrupt — download it again.");
    }
    long elements;
    long expectedBytes;
    try {
      elements = WeightTensor.elementCount(shape);
      expectedBytes = Math.multiplyExact(elements, dtype.byteSize());
    } catch (ArithmeticException e) {
      throw new CheckpointException(where + ": shape " + Arrays.toString(shape) + " overflows; the file is corrupt.");
    }
    if (end - begin != expectedBytes) {
      throw new CheckpointException(where + ": data_offsets [" + begin + ", " + end + "] span " + (end - begin)
          + " bytes but shape " + Arrays.toString(shape) + " of " + dtype + " needs " + elements + " x "
          + dtype.byteSize() + " = " + expectedBytes + " bytes; the file is corrupt.");
    }
    return new Entry(name, dtype, shape, begin, end);
  }

  /** Non-negative integers; {@code expectedLength} -1 for any length. */
  private static long[] longs(JsonNode node, int expectedLength, String where, String field) {
    boolean valid = node != null && node.isArray() && (expectedLength < 0 || node.size() == expectedLength);
    long[] values = new long[valid ? node.size() : 0];
    for (int i = 0; valid && i < values.length; i++) {
      JsonNode item = node.get(i);
      valid = item.isIntegralNumber() && item.canConvertToLong() && item.asLong() >= 0;
      values[i] = valid ? item.asLong() : 0;
    }
    if (!valid) {
      throw new CheckpointException(where + ": \"" + field + "\" is " + node + ", not "
          + (expectedLength < 0 ? "a list of non-negative integers" : expectedLength + " non-negative integers")
          + "; the file is corrupt.");
    }
    return values;
  }

  private static void checkOverlaps(Path file, List<Entry> entries) {
    List<Entry> byOffset = new ArrayList<>(entries);
    byOffset.removeIf(entry -> entry.end() == entry.begin()); // empty tensors occupy no bytes
    byOffset.sort(Comparator.comparingLong(Entry::begin));
    for (int i = 1; i < byOffset.size(); i++) {
      Entry previous = byOffset.get(i - 1);
      Entry current = byOffset.get(i);
      if (current.begin() < previous.end()) {
        throw new CheckpointException(file + ": tensors \"" + previous.name() + "\" [" + previous.begin() + ", "
            + previous.end() + "] and \"" + current.name() + "\" [" + current.begin() + ", " + current.end()
            + "] overlap in the data region; the file is corrupt.");
      }
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }
}
