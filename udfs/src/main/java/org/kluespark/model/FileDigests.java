package org.kluespark.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SHA-256 of local files, remembered for the life of the JVM by the file's identity: device and inode, size
 * and modification time. Model data files run to many GB, so a file this JVM already hashed, or a hard link
 * to it, is not read again (the driver hashes a bundle's {@code model.onnx.data} and then validates a
 * session built from a hard link to it). Writing to a file changes its modification time, so a file
 * rewritten in place is hashed anew.
 *
 * <p>As git does for its index, a file modified less than {@link #RACY_MILLIS} before it was hashed is not
 * remembered: file systems stamp times at a coarse granularity (a clock tick, or seconds on some), so a
 * second write within the same tick would leave the identity unchanged.
 */
public final class FileDigests {
  static final long RACY_MILLIS = 2_000;
  private static final Map<Identity, String> KNOWN = new ConcurrentHashMap<>();

  private FileDigests() {}

  /** The SHA-256 of {@code file} (hex), read in 1 MB blocks, never held in memory. */
  public static String sha256(Path file) throws IOException {
    long started = System.currentTimeMillis();
    Identity before = Identity.of(file);
    String known = KNOWN.get(before);
    if (known != null) {
      return known;
    }
    MessageDigest digest = newSha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 20];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    }
    String sha256 = HexFormat.of().formatHex(digest.digest());
    if (before.equals(Identity.of(file)) && before.modified().toMillis() < started - RACY_MILLIS) {
      KNOWN.put(before, sha256); // not written to while it was read, nor just before
    }
    return sha256;
  }

  /**
   * Records the digest of a file this JVM just wrote from a stream whose digest it computed on the way
   * (a private copy: nothing else writes to it within the same clock tick).
   */
  public static void remember(Path file, String sha256) throws IOException {
    KNOWN.put(Identity.of(file), sha256);
  }

  /** SHA-256 of bytes in memory, as lower-case hex. */
  public static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(newSha256().digest(bytes));
  }

  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  private record Identity(Object fileKey, long size, FileTime modified) {
    static Identity of(Path file) throws IOException {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      Object key = attributes.fileKey() != null ? attributes.fileKey() : file.toAbsolutePath().normalize();
      return new Identity(key, attributes.size(), attributes.lastModifiedTime());
    }
  }
}
