package org.kluespark.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.convert.CheckpointConverter;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderFamily;
import org.kluespark.convert.ExportOptions;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelBundleException;
import org.kluespark.model.ModelBundleLoader;
import org.kluespark.synth.SyntheticCheckpoint;
import org.kluespark.testing.TestModels;

/**
 * A session over ONNX external data is built from a hard link to the bundle's {@code model.onnx.data}, and
 * only after the link's SHA-256 matches what the driver read: a data file rewritten in place (same length,
 * same inode) after loading is refused, and accepted again once its bytes are back.
 */
class ExternalDataVerificationTest {
  static final EncoderConfig SMALL = new EncoderConfig(EncoderFamily.BERT, 3000, 32, 2, 4, 64, "gelu", 64, 2, 1e-12, 0);

  @TempDir Path tmp;

  @Test
  void dataFileRewrittenAfterTheDriverReadItIsRefusedUntilItsBytesAreBack() throws Exception {
    Path checkpoint = tmp.resolve("checkpoint");
    SyntheticCheckpoint.write(SMALL, false,
        SyntheticCheckpoint.corpusLines(List.of(TestModels.repoRoot().resolve("datasets"))), 3, checkpoint);
    Path dir = tmp.resolve("bundle");
    CheckpointConverter.convert(checkpoint, dir, ExportOptions.defaults().withExternalDataThreshold(1024), line -> { });
    Path data = dir.resolve(ModelBundle.EXTERNAL_DATA_FILE);
    ModelBundle bundle = ModelBundleLoader.load(dir.toString(), new Configuration());
    Path local = Paths.get(System.getProperty("java.io.tmpdir"), "kluespark-models", bundle.fingerprint());
    try {
      openAndClose(bundle);
      assertThat(Files.isSameFile(local.resolve(ModelBundle.EXTERNAL_DATA_FILE), data)).as("hard link").isTrue();

      flipBytes(data, 4096);
      assertThat(Files.size(data)).isEqualTo(bundle.externalData().length());
      String tampered = sha256(data);
      assertThatThrownBy(() -> openAndClose(bundle)).isInstanceOf(ModelBundleException.class)
          .hasMessage(data.toUri().toString().replace("file:///", "file:/") + " changed after the job started "
              + "(sha256 " + tampered + ", the driver read " + bundle.externalData().sha256() + "). Do not modify "
              + "a bundle while jobs use it; rerun the job.");
      assertThatThrownBy(() -> openAndClose(bundle)).as("refused again: the failed check is not remembered")
          .isInstanceOf(ModelBundleException.class);

      flipBytes(data, 4096);
      openAndClose(bundle);
      assertThat(Files.isSameFile(local.resolve(ModelBundle.EXTERNAL_DATA_FILE), data)).isTrue();
    } finally {
      deleteRecursively(local);
    }
  }

  private static void openAndClose(ModelBundle bundle) throws OrtException {
    try (OrtSession session = OrtSessionFactory.create(bundle, ExecutionTarget.CPU, 1)) {
      assertThat(session.getOutputNames()).contains("last_hidden_state");
    }
  }

  /** Inverts 4 bytes in place: the file keeps its length and inode. */
  private static void flipBytes(Path file, long position) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer bytes = ByteBuffer.allocate(4);
      channel.read(bytes, position);
      for (int i = 0; i < 4; i++) {
        bytes.put(i, (byte) ~bytes.get(i));
      }
      bytes.rewind();
      channel.write(bytes, position);
    }
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
