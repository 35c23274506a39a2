package org.kluespark.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.kluespark.checkpoint.CheckpointFixtures.assertSameTensors;
import static org.kluespark.checkpoint.CheckpointFixtures.bits;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files written by PyTorch 1.13 (tests/scripts/make_checkpoint_reader_fixtures.py) and hand-made archives. */
class TorchCheckpointReaderTest {
  private static final Path MARKER = Path.of("/tmp/kluespark-malicious-pickle-marker");

  @TempDir
  Path tmp;

  @Test
  void readsEveryFloatTensorOfATorchSaveExactly() throws IOException {
    Path dir = CheckpointFixtures.resource("torch");

    Map<String, WeightTensor> read = TorchCheckpointReader.read(dir.resolve("pytorch_model.bin"));

    assertSameTensors(read, CheckpointFixtures.expected(dir.resolve("expected.json")));
    assertThat(read).doesNotContainKey("embeddings.position_ids"); // the int64 buffer is skipped
    assertThat(read.get("scalar").shape()).isEmpty();
    assertThat(read.get("scalar").values()).containsExactly(3.25f);
  }

  @Test
  void readsTheSameStateDictPickledWithProtocol4() throws IOException {
    Map<String, WeightTensor> read =
        TorchCheckpointReader.read(CheckpointFixtures.resource("torch-protocol4/pytorch_model.bin"));

    assertSameTensors(read, CheckpointFixtures.expected(CheckpointFixtures.resource("torch/expected.json")));
  }

  @Test
  void viewsSharingOneStorageAreGatheredByOffsetAndStride() {
    Map<String, WeightTensor> read =
        TorchCheckpointReader.read(CheckpointFixtures.resource("torch/pytorch_model.bin"));
    float[] base = read.get("encoder.weight").values(); // 3 x 5

    float[] transposed = read.get("encoder.weight_t").values(); // base.t(): 5 x 3, stride (1, 5)
    float[] corner = read.get("encoder.corner").values(); // base[1:, 2:]: 2 x 3, offset 7, stride (5, 1)
    float[] row = read.get("encoder.row").values(); // base[2]: offset 10
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 5; j++) {
        assertThat(transposed[j * 3 + i]).isEqualTo(base[i * 5 + j]);
      }
    }
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        assertThat(corner[i * 3 + j]).isEqualTo(base[(i + 1) * 5 + j + 2]);
      }
    }
    assertThat(row).containsExactly(base[10], base[11], base[12], base[13], base[14]);
    assertThat(base).isNotSameAs(transposed);
  }

  @Test
  void readsAShardedCheckpointThroughItsIndex() throws IOException {
    Path dir = CheckpointFixtures.resource("torch-sharded");

    Map<String, WeightTensor> read = TorchCheckpointReader.readSharded(dir.resolve("pytorch_model.bin.index.json"));

    assertSameTensors(read, CheckpointFixtures.expected(dir.resolve("expected.json")));
    assertThat(read.keySet()).containsExactly("layer.0.weight", "layer.0.bias", "layer.1.weight");
  }

  @Test
  void refusesAPickleThatCallsOsSystemAndRunsNothing() throws IOException {
    Files.deleteIfExists(MARKER);
    Path file = CheckpointFixtures.resource("malicious-system/pytorch_model.bin");

    assertThatThrownBy(() -> TorchCheckpointReader.read(file)).isInstanceOf(CheckpointException.class)
        .hasMessage(file + ": refusing to load: the pickle calls posix.system, which is not a tensor. kluespark"
            + " reads only tensors from pytorch_model.bin; convert the checkpoint to model.safetensors or check"
            + " where it came from.");
    assertThat(MARKER).doesNotExist();
  }

  @Test
  void refusesAPickleThatCallsEvalAndRunsNothing() throws IOException {
    Files.deleteIfExists(MARKER);
    Path file = CheckpointFixtures.resource("malicious-eval/pytorch_model.bin");

    assertThatThrownBy(() -> TorchCheckpointReader.read(file)).isInstanceOf(CheckpointException.class)
        .hasMessage(file + ": refusing to load: the pickle calls builtins.eval, which is not a tensor. kluespark"
            + " reads only tensors from pytorch_model.bin; convert the checkpoint to model.safetensors or check"
            + " where it came from.");
    assertThat(MARKER).doesNotExist();
  }

  @Test
  void refusesTheLegacyFormat() {
    Path file = CheckpointFixtures.resource("legacy/pytorch_model.bin");

    assertThatThrownBy(() -> TorchCheckpointReader.read(file)).isInstanceOf(CheckpointException.class)
        .hasMessage(file + " is in the legacy PyTorch format (saved before torch 1.6 or with"
            + " _use_new_zipfile_serialization=False), which kluespark does not read; re-save it with torch >= 1.6"
            + " or provide model.safetensors.");
  }

  @Test
  void refusesFilesThatAreNotTorchSaveArchives() throws IOException {
    Path text = Files.writeString(tmp.resolve("pytorch_model.bin"), "<html>404 Not Found</html>");
    assertThatThrownBy(() -> TorchCheckpointReader.read(text)).isInstanceOf(CheckpointException.class)
        .hasMessage(text + " is not a PyTorch checkpoint (not a zip archive written by torch.save); provide"
            + " model.safetensors or a pytorch_model.bin saved with torch >= 1.6.");

    Path script = zip(tmp.resolve("script.bin"), Map.of("m/constants.pkl", new byte[] {'.'},
        "m/code/__torch__/m.py", new byte[0]));
    assertThatThrownBy(() -> TorchCheckpointReader.read(script)).isInstanceOf(CheckpointException.class)
        .hasMessage(script + " is a TorchScript archive (torch.jit.save), not a torch.save of a state dict; provide"
            + " model.safetensors or the model's pytorch_model.bin state dict.");
  }

  @Test
  void missingOrShortStorageIsAnErrorNamingTheTensor() throws IOException {
    Path source = CheckpointFixtures.resource("torch/pytorch_model.bin");
    Path missing = rewrite(source, tmp.resolve("missing.bin"),
        (name, bytes) -> name.equals("pytorch_model/data/0") ? null : bytes);
    assertThatThrownBy(() -> TorchCheckpointReader.read(missing)).isInstanceOf(CheckpointException.class)
        .hasMessage(missing + ": tensor \"encoder.weight\" uses storage 0, but the archive has no"
            + " pytorch_model/data/0; the file is truncated or corrupt — download it again.");

    Path shortened = rewrite(source, tmp.resolve("short.bin"),
        (name, bytes) -> name.equals("pytorch_model/data/1") ? new byte[10] : bytes);
    assertThatThrownBy(() -> TorchCheckpointReader.read(shortened)).isInstanceOf(CheckpointException.class)
        .hasMessage(shortened + ": pytorch_model/data/1 holds 10 bytes but storage 1 of tensor \"half.weight\""
            + " needs 6 x 2 = 12 bytes; the file is corrupt — download it again.");
  }

  @Test
  void anyArchivePrefixAndBigEndianByteOrderAreRead() throws IOException {
    byte[] pickle = new PickleBytes().proto(2).orderedDict().string("w").tensor1d("FloatStorage", 4, 1, 2, 2)
        .op('s').stop().bytes();
    ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putFloat(1f).putFloat(2f).putFloat(3f)
        .putFloat(4f);
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("my model v2/data.pkl", pickle);
    entries.put("my model v2/byteorder", "big".getBytes(StandardCharsets.US_ASCII));
    entries.put("my model v2/data/0", data.array());
    Path file = zip(tmp.resolve("pytorch_model.bin"), entries);

    WeightTensor w = TorchCheckpointReader.read(file).get("w");

    assertThat(w.shape()).containsExactly(2);
    assertThat(bits(w.values())).containsExactly(bits(new float[] {2f, 4f})); // offset 1, stride 2
  }

  @Test
  void viewReachingPastItsStorageIsAnError() throws IOException {
    byte[] pickle = new PickleBytes().proto(2).orderedDict().string("w").tensor1d("FloatStorage", 4, 1, 3, 2)
        .op('s').stop().bytes();
    Path file = zip(tmp.resolve("pytorch_model.bin"), Map.of("archive/data.pkl", pickle, "archive/data/0",
        new byte[16]));

    assertThatThrownBy(() -> TorchCheckpointReader.read(file)).isInstanceOf(CheckpointException.class)
        .hasMessage(file + ": tensor \"w\": the view (offset 1, size [3], stride [2]) reaches element 5 of a"
            + " storage of 4 elements; the file is corrupt.");
  }

  private static Path zip(Path file, Map<String, byte[]> entries) throws IOException {
    try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(entry.getKey()));
        zip.write(entry.getValue());
        zip.closeEntry();
      }
    }
    return file;
  }

  /** A copy of {@code source} with each entry's bytes replaced by {@code edit} (null drops the entry). */
  private static Path rewrite(Path source, Path target, BiFunction<String, byte[], byte[]> edit) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(source.toFile())) {
      for (ZipEntry entry : Collections.list(zip.entries())) {
        byte[] bytes = edit.apply(entry.getName(), zip.getInputStream(entry).readAllBytes());
        if (bytes != null) {
          entries.put(entry.getName(), bytes);
        }
      }
    }
    return zip(target, entries);
  }
}
