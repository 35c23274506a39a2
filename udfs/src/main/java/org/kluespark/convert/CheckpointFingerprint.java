package org.kluespark.convert;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.kluespark.model.FileDigests;

/**
 * A checkpoint's identity for the bundle manifest: SHA-256 over the names and SHA-256s of its
 * {@code config.json} and weight files (safetensors shards, {@code pytorch_model*.bin}), in name order, so the
 * same weights give the same fingerprint wherever they were downloaded.
 */
final class CheckpointFingerprint {
  private CheckpointFingerprint() {}

  static String of(Path checkpointDir) {
    try (Stream<Path> files = Files.list(checkpointDir)) {
      List<Path> identifying = files.filter(Files::isRegularFile).filter(CheckpointFingerprint::identifies)
          .sorted().toList();
      MessageDigest digest = FileDigests.newSha256();
      for (Path file : identifying) {
        digest.update((file.getFileName() + "=" + FileDigests.sha256(file) + "\n").getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + checkpointDir + ": " + e.getMessage(), e);
    }
  }

  private static boolean identifies(Path file) {
    String name = file.getFileName().toString();
    return name.equals("config.json") || name.equals(SentenceTransformerModules.MODULES_FILE) || name.endsWith(".safetensors") || name.endsWith(".safetensors.index.json")
        || (name.startsWith("pytorch_model") && name.endsWith(".bin"));
  }
}
