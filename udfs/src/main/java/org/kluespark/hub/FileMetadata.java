package org.kluespark.hub;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a {@code HEAD} on {@code /{repo}/resolve/{commit}/{file}} tells about one file, before any byte
 * is downloaded.
 *
 * <p>For an LFS file (weights) the hub answers 302 to a CDN URL and puts the file's sha256 in
 * {@code X-Linked-Etag} and its size in {@code X-Linked-Size}. For a small file kept in git (configs,
 * vocabularies) it answers 200 with {@code ETag} = the git blob sha1. Only the sha256 is a content hash we
 * verify; the sha1 is used as the blob's cache name, as huggingface_hub does, and the size is checked.
 *
 * @param etag        unquoted; names the blob in the cache
 * @param size        bytes, or -1 when the hub did not say
 * @param downloadUri where to GET the bytes (the CDN for LFS files)
 */
record FileMetadata(String etag, long size, URI downloadUri) {

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final int MAX_RELATIVE_REDIRECTS = 5;

  /** The expected sha256 when the ETag is one (LFS files); empty for git-blob sha1 ETags. */
  Optional<String> sha256() {
    return SHA256.matcher(etag).matches() ? Optional.of(etag) : Optional.empty();
  }

  static FileMetadata read(HubHttp http, URI resolveUri, String what) throws IOException {
    URI uri = resolveUri;
    for (int hop = 0; ; hop++) {
      HttpResponse<Void> response = http.send("HEAD", uri, Optional.empty(), HttpResponse.BodyHandlers.discarding());
      int status = response.statusCode();
      HttpHeaders headers = response.headers();
      Optional<String> location = headers.firstValue("Location");
      boolean redirect = status >= 300 && status < 400;
      if (redirect && location.isEmpty()) {
        throw new HubException(what + ": the hub answered " + status + " without a Location; check HF_ENDPOINT.");
      }
      // A relative redirect without LFS headers is the hub moving us (renamed repository): follow it.
      if (redirect && headers.firstValue("X-Linked-Etag").isEmpty() && location.get().startsWith("/")
          && hop < MAX_RELATIVE_REDIRECTS) {
        uri = uri.resolve(location.get());
        continue;
      }
      if (!redirect && (status < 200 || status >= 300)) {
        throw http.failure(response, what);
      }
      String etag = headers.firstValue("X-Linked-Etag").or(() -> headers.firstValue("ETag"))
          .map(FileMetadata::normalizeEtag)
          .orElseThrow(() -> new HubException(what + ": the hub sent no ETag, so the file cannot be cached or "
              + "verified; check HF_ENDPOINT points at a HuggingFace hub (or a mirror that forwards ETag headers)."));
      long size = headers.firstValue("X-Linked-Size").or(() -> headers.firstValue("Content-Length"))
          .map(FileMetadata::parseSize).orElse(-1L);
      URI download = redirect ? uri.resolve(location.get()) : uri;
      return new FileMetadata(etag, size, download);
    }
  }

  /** {@code W/"abc"} → {@code abc}, as huggingface_hub normalises it. */
  static String normalizeEtag(String raw) {
    String etag = raw.trim();
    if (etag.startsWith("W/")) {
      etag = etag.substring(2);
    }
    if (etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")) {
      etag = etag.substring(1, etag.length() - 1);
    }
    return etag.toLowerCase(Locale.ROOT).matches("[0-9a-f]{40}|[0-9a-f]{64}") ? etag.toLowerCase(Locale.ROOT) : etag;
  }

  private static long parseSize(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1L;
    }
  }
}
