package org.kluespark.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One attempt at moving a file's bytes into {@code blobs/{etag}}: append to {@code {etag}.incomplete}
 * (resuming with {@code Range: bytes=N-} if a previous attempt left bytes), check the size, verify the
 * sha256 when the hub gave one, then move into place. An {@link IOException} means "retry": the partial
 * file is kept for the next attempt. A {@link HubException} is final.
 */
final class BlobTransfer {

  private static final int BUFFER_BYTES = 1 << 16;
  private static final int MAX_REDIRECTS = 5;
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");

  private final HubHttp http;
  private final DownloadListener listener;
  private final Duration idleTimeout;

  BlobTransfer(HubHttp http, DownloadListener listener, Duration idleTimeout) {
    this.http = http;
    this.listener = listener;
    this.idleTimeout = idleTimeout;
  }

  void fetch(FileMetadata meta, Path incomplete, Path blob, String file, String what) throws IOException {
    Files.createDirectories(incomplete.getParent());
    long have = Files.exists(incomplete) ? Files.size(incomplete) : -1;
    if (meta.size() >= 0 && have > meta.size()) {
      Files.delete(incomplete); // longer than the file can be: not a prefix of it
      have = -1;
    }
    if (have < 0 || meta.size() < 0 || have < meta.size()) {
      receive(meta, incomplete, Math.max(have, 0), file, what);
    }
    long received = Files.size(incomplete);
    if (meta.size() >= 0 && received != meta.size()) {
      throw new IOException(what + ": received " + received + " of " + meta.size() + " bytes");
    }
    Optional<String> expected = meta.sha256();
    if (expected.isPresent()) {
      String actual = sha256(incomplete);
      if (!actual.equals(expected.get())) {
        Files.deleteIfExists(incomplete);
        throw new HubException(what + ": sha256 mismatch. The hub reported " + expected.get()
            + " but the downloaded bytes hash to " + actual + ". The partial download was deleted and nothing was "
            + "added to the cache; run again to download it afresh. If it fails again, a proxy or the mirror in "
            + "HF_ENDPOINT is altering the file: download without it.");
      }
    }
    try {
      Files.move(incomplete, blob, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(incomplete, blob, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private void receive(FileMetadata meta, Path incomplete, long have, String file, String what) throws IOException {
    Optional<String> range = have > 0 ? Optional.of("bytes=" + have + "-") : Optional.empty();
    HttpResponse<InputStream> response = get(meta.downloadUri(), range, what);
    try (InputStream body = response.body()) {
      int status = response.statusCode();
      long offset;
      if (status == 206) {
        offset = rangeStart(response, what);
        if (offset != have) {
          Files.deleteIfExists(incomplete);
          throw new IOException(what + ": asked to resume at byte " + have + " but the server sent from " + offset
              + "; restarting the file");
        }
      } else if (status == 200) {
        offset = 0; // the server ignored the Range (or there was none): start over
      } else if (status == 416) {
        Files.deleteIfExists(incomplete);
        throw new IOException(what + ": the server refused to resume at byte " + have + " (416); restarting the file");
      } else {
        throw http.failure(response, what);
      }
      listener.started(file, offset, meta.size());
      StandardOpenOption mode = offset > 0 ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
      try (OutputStream out = Files.newOutputStream(incomplete, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
        byte[] buffer = new byte[BUFFER_BYTES];
        long done = offset;
        for (int n; (n = body.read(buffer)) >= 0; ) {
          out.write(buffer, 0, n); // unbuffered: what arrived is on disk if the connection drops next
          done += n;
          listener.progress(file, done, meta.size());
        }
      }
    }
  }

  /** GET, following redirects (a CDN may redirect again); the final response's body is left open. */
  private HttpResponse<InputStream> get(URI start, Optional<String> range, String what) throws IOException {
    URI uri = start;
    for (int hop = 0; ; hop++) {
      HttpResponse<InputStream> response = http.send("GET", uri, range, IdleTimeoutBody.handler(idleTimeout));
      Optional<String> location = response.headers().firstValue("Location");
      int status = response.statusCode();
      if (status < 300 || status >= 400 || location.isEmpty()) {
        return response;
      }
      response.body().close();
      if (hop >= MAX_REDIRECTS) {
        throw new HubException(what + ": more than " + MAX_REDIRECTS + " redirects from " + start
            + "; check HF_ENDPOINT and any proxy in between.");
      }
      uri = uri.resolve(location.get());
    }
  }

  private static long rangeStart(HttpResponse<?> response, String what) throws IOException {
    String header = response.headers().firstValue("Content-Range").orElse("");
    Matcher m = CONTENT_RANGE.matcher(header.trim());
    if (!m.matches()) {
      throw new IOException(what + ": 206 response with unreadable Content-Range \"" + header + "\"");
    }
    return Long.parseLong(m.group(1));
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java runtime has SHA-256", e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[BUFFER_BYTES];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
