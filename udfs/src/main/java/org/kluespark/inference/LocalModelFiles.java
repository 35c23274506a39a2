package org.kluespark.inference;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.kluespark.model.FileDigests;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelBundleException;

/**
 * Puts a model with ONNX external data on the local disk, because ONNX Runtime resolves
 * {@code model.onnx.data} relative to a model file path. One directory per bundle fingerprint per
 * machine ({@code java.io.tmpdir/kluespark-models/<fingerprint>}); a local data file is hard-linked, a remote
 * one (HDFS, S3 ...) copied once.
 *
 * <p>Before every session is built from it, the local data file is checked against the SHA-256 the driver
 * recorded, so a bundle rewritten after the driver read it is refused rather than run with other weights.
 * {@link FileDigests} remembers digests per JVM by inode, size and modification time: a copy is hashed
 * while it is made, and an unchanged file (or hard link) is read once per JVM.
 */
final class LocalModelFiles {
  private static final String ROOT = "kluespark-models";

  private LocalModelFiles() {}

  /** The local {@code model.onnx} of {@code bundle}, next to its external data. */
  static synchronized Path materialize(ModelBundle bundle) {
    ModelBundle.ExternalData data = bundle.externalData();
    Path dir = Paths.get(System.getProperty("java.io.tmpdir"), ROOT, bundle.fingerprint());
    Path model = dir.resolve(ModelBundle.MODEL_FILE);
    Path dataFile = dir.resolve(ModelBundle.EXTERNAL_DATA_FILE);
    try {
      Files.createDirectories(dir);
      if (!Files.exists(dataFile) || Files.size(dataFile) != data.length()) {
        Files.deleteIfExists(dataFile);
        Path local = localPathOrNull(data.location());
        if (local != null && Files.isRegularFile(local) && Files.size(local) == data.length()) {
          linkOrCopy(local, dataFile);
        } else {
          copyVerified(data, dataFile);
        }
      }
      verify(data, dataFile);
      Path partial = dir.resolve(ModelBundle.MODEL_FILE + ".partial");
      Files.write(partial, bundle.modelBytes());
      Files.move(partial, model, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return model;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot place the model's external data " + data.location() + " in " + dir
          + ": " + e.getMessage() + ". Check free space in java.io.tmpdir on this executor.", e);
    }
  }

  private static void verify(ModelBundle.ExternalData data, Path dataFile) throws IOException {
    String actual = FileDigests.sha256(dataFile);
    if (!actual.equals(data.sha256())) {
      Files.deleteIfExists(dataFile); // only our link or copy: the next attempt starts afresh
      throw changed(data, actual);
    }
  }

  private static ModelBundleException changed(ModelBundle.ExternalData data, String actual) {
    return new ModelBundleException(data.location() + " changed after the job started (sha256 " + actual
        + ", the driver read " + data.sha256() + "). Do not modify a bundle while jobs use it; rerun the job.");
  }

  private static Path localPathOrNull(String location) {
    URI uri = URI.create(location);
    return "file".equals(uri.getScheme()) ? Paths.get(uri) : null;
  }

  /** A hard link (ONNX Runtime refuses symbolic links that leave the model's directory), else a copy. */
  private static void linkOrCopy(Path source, Path target) throws IOException {
    try {
      Files.createLink(target, source);
    } catch (UnsupportedOperationException | IOException e) {
      Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void copyVerified(ModelBundle.ExternalData data, Path target) throws IOException {
    org.apache.hadoop.fs.Path source = new org.apache.hadoop.fs.Path(data.location());
    Path partial = target.resolveSibling(target.getFileName() + ".partial");
    MessageDigest digest = FileDigests.newSha256();
    try (FileSystem fs = FileSystem.newInstance(source.toUri(), new Configuration());
        InputStream in = new DigestInputStream(fs.open(source), digest);
        OutputStream out = Files.newOutputStream(partial)) {
      in.transferTo(out);
    }
    String actual = HexFormat.of().formatHex(digest.digest());
    if (!actual.equals(data.sha256())) {
      Files.deleteIfExists(partial);
      throw changed(data, actual);
    }
    Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    FileDigests.remember(target, actual);
  }
}
