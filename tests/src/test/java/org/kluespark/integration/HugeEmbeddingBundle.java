package org.kluespark.integration;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import org.kluespark.model.ModelBundle;

/**
 * Turns a converted bundle with external data into the same model with a word-embedding table of
 * {@code rows} rows (over 2 GB at 700,000 x 768 float32), without ever holding the table in memory: the
 * real rows are copied to the start of a new page-aligned region of {@code model.onnx.data}, the rest of
 * the table is a sparse hole (zeros the tokenizer can never reach), and {@code model.onnx}'s initializer
 * is pointed at it. Token ids below the original vocabulary see identical weights, so the outputs equal the
 * small model's.
 */
final class HugeEmbeddingBundle {
  static final String WORD_EMBEDDINGS = "embeddings.word_embeddings.weight";
  private static final int PAGE = 4096; // ONNX Runtime memory-maps tensors at page-aligned offsets

  /** Where the big table lives inside model.onnx.data. */
  record Table(long offset, long length, long realBytes) {}

  private HugeEmbeddingBundle() {}

  static Table write(Path smallBundle, Path hugeBundle, long rows) throws IOException {
    Files.createDirectories(hugeBundle);
    Files.copy(smallBundle.resolve(ModelBundle.TOKENIZER_FILE), hugeBundle.resolve(ModelBundle.TOKENIZER_FILE));
    ModelProto model;
    try (InputStream in = Files.newInputStream(smallBundle.resolve(ModelBundle.MODEL_FILE))) {
      model = ModelProto.parseFrom(in);
    }
    ModelProto.Builder builder = model.toBuilder();
    TensorProto.Builder table = builder.getGraphBuilder().getInitializerBuilderList().stream()
        .filter(t -> t.getName().equals(WORD_EMBEDDINGS)).findFirst()
        .orElseThrow(() -> new IllegalStateException(smallBundle + " has no initializer " + WORD_EMBEDDINGS));
    Map<String, String> external = new HashMap<>();
    table.getExternalDataList().forEach(e -> external.put(e.getKey(), e.getValue()));
    long realOffset = Long.parseLong(external.get("offset"));
    long realBytes = Long.parseLong(external.get("length"));
    long hidden = table.getDims(1);

    Path smallData = smallBundle.resolve(ModelBundle.EXTERNAL_DATA_FILE);
    Path hugeData = hugeBundle.resolve(ModelBundle.EXTERNAL_DATA_FILE);
    Files.copy(smallData, hugeData);
    long offset = align(Files.size(smallData));
    long length = rows * hidden * Float.BYTES;
    try (FileChannel source = FileChannel.open(smallData, StandardOpenOption.READ);
        FileChannel target = FileChannel.open(hugeData, StandardOpenOption.WRITE)) {
      for (long done = 0; done < realBytes; ) {
        done += source.transferTo(realOffset + done, realBytes - done, target.position(offset + done));
      }
      // One byte at the end sets the length; everything between is a hole that reads as zeros.
      target.write(ByteBuffer.wrap(new byte[1]), offset + length - 1);
    }

    table.setDims(0, rows).clearExternalData()
        .addExternalData(entry("location", ModelBundle.EXTERNAL_DATA_FILE))
        .addExternalData(entry("offset", Long.toString(offset)))
        .addExternalData(entry("length", Long.toString(length)));
    try (OutputStream out = Files.newOutputStream(hugeBundle.resolve(ModelBundle.MODEL_FILE))) {
      builder.build().writeTo(out);
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode config = (ObjectNode) json.readTree(smallBundle.resolve(ModelBundle.CONFIG_FILE).toFile());
    config.put("vocab_size", rows);
    json.writeValue(hugeBundle.resolve(ModelBundle.CONFIG_FILE).toFile(), config);
    return new Table(offset, length, realBytes);
  }

  private static long align(long offset) {
    return (offset + PAGE - 1) / PAGE * PAGE;
  }

  private static StringStringEntryProto entry(String key, String value) {
    return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }
}
