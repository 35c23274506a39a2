package org.kluespark.hub;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Fetches the files the converter needs for {@code hf:ORG/NAME[@revision]} into the huggingface_hub
 * cache and returns the snapshot directory, which is an ordinary checkpoint directory.
 *
 * <ol>
 *   <li>{@code GET {endpoint}/api/models/{repo}/revision/{revision}}: the commit and the file list;
 *       {@code refs/{revision}} records the commit.</li>
 *   <li>{@link CheckpointFiles} picks config, tokenizer and weights (then the shards a weight index names).</li>
 *   <li>Each file not yet in {@code snapshots/{commit}/}: {@code HEAD .../resolve/{commit}/{file}} for its
 *       ETag and size (see {@link FileMetadata}); if that blob is not cached, GET it (from the CDN the
 *       hub redirects to for LFS files) into {@code blobs/{etag}.incomplete}, resuming with Range, verify the
 *       sha256 when the ETag is one, move it to {@code blobs/{etag}} and symlink it into the snapshot.</li>
 * </ol>
 *
 * <p>Network use: a revision that is a commit hash whose snapshot is complete needs no request at all. A
 * branch or tag costs one API request per call (branches move), and nothing else when the snapshot is
 * complete. Offline ({@code HF_HUB_OFFLINE}, or the hub unreachable: connection refused, unknown host,
 * connect timeout) the revision is resolved through {@code refs/} and a complete cached snapshot is used.
 *
 * <p>Failed transfers are retried ({@value #DEFAULT_ATTEMPTS} attempts per file), each resuming from the
 * bytes already on disk; 4xx answers and hash mismatches are not retried.
 */
public final class HubDownloader {

  public static final int DEFAULT_ATTEMPTS = 3;
  /** A transfer that receives nothing for this long is abandoned and retried (resuming). */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

  // Different threads downloading the same blob would hit OverlappingFileLockException; serialise them.
  private static final Object JVM_LOCK = new Object();

  private final HubSettings settings;
  private final DownloadListener listener;
  private final HubHttp http;
  private final BlobTransfer transfer;
  private final int maxAttempts;
  private final Duration retryDelay;

  public HubDownloader(HubSettings settings, DownloadListener listener) {
    this(settings, listener, HubHttp.defaultClient(), DEFAULT_ATTEMPTS, Duration.ofSeconds(2), DEFAULT_IDLE_TIMEOUT);
  }

  /**
   * For tests: a client of one's own, retry timing, and how long a transfer may receive nothing before
   * the attempt fails. The client must not follow redirects itself.
   */
  HubDownloader(HubSettings settings, DownloadListener listener, HttpClient client, int maxAttempts,
      Duration retryDelay, Duration idleTimeout) {
    if (client.followRedirects() != HttpClient.Redirect.NEVER) {
      throw new IllegalArgumentException("The client must not follow redirects: the LFS headers are on the 302.");
    }
    this.settings = settings;
    this.listener = listener;
    this.http = new HubHttp(client, settings);
    this.transfer = new BlobTransfer(http, listener, idleTimeout);
    this.maxAttempts = maxAttempts;
    this.retryDelay = retryDelay;
  }

  /** Parses {@code spec} ({@code hf:ORG/NAME[@revision]}) and downloads it. */
  public Path download(String spec) {
    return download(HubModelId.parse(spec));
  }

  /** The local snapshot directory holding config, tokenizer and weights of {@code model}. */
  public Path download(HubModelId model) {
    HubCache cache = new HubCache(settings.cacheDir(), model);
    if (settings.offline()) {
      return fromCache(model, cache, "HF_HUB_OFFLINE is set");
    }
    if (model.isCommitHash()) {
      Optional<Path> cached = cache.completeSnapshot(model.revision());
      if (cached.isPresent()) {
        return cached.get();
      }
    }
    RepoInfo info;
    try {
      info = repoInfo(model);
    } catch (IOException e) {
      return fromCache(model, cache, settings.endpoint() + " unavailable: " + HubHttp.describeCause(e));
    }
    try {
      cache.writeRef(model.revision(), info.commit());
      String where = model + " (commit " + info.commit() + ")";
      List<String> files = CheckpointFiles.select(info.files(), where);
      for (String file : files) {
        fetchFile(model, cache, info.commit(), file);
      }
      Optional<String> index = CheckpointFiles.weightIndex(files);
      if (index.isPresent()) {
        fetchShards(model, cache, info, index.get(), where);
      }
      return cache.snapshotDir(info.commit());
    } catch (IOException e) {
      throw new HubException(model + ": cannot write the cache under " + cache.repoDir() + " ("
          + HubHttp.describeCause(e) + "). Check free space and permissions, or set HF_HUB_CACHE elsewhere.", e);
    }
  }

  /** The shards a weight index names; it is on disk by now, so its {@code weight_map} can be read. */
  private void fetchShards(HubModelId model, HubCache cache, RepoInfo info, String index, String where)
      throws IOException {
    Set<String> listed = Set.copyOf(info.files());
    for (String shard : CheckpointFiles.shardsOf(cache.snapshotFile(info.commit(), index), index)) {
      HubCache.checkRelative(shard, index);
      if (!listed.contains(shard)) {
        throw new HubException(where + ": " + index + " names shard " + shard
            + ", which the repository does not have; the checkpoint is incomplete at this revision.");
      }
      fetchFile(model, cache, info.commit(), shard);
    }
  }

  private RepoInfo repoInfo(HubModelId model) throws IOException {
    URI uri = http.repoInfoUri(model);
    String what = model + " (repository info " + uri + ")";
    return withRetries(what, null, () -> {
      HttpResponse<String> response = http.send("GET", uri, Optional.empty(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (response.statusCode() != 200) {
        throw http.failure(response, model + " (repository info)");
      }
      return RepoInfo.parse(response.body(), uri.toString());
    }, true);
  }

  private void fetchFile(HubModelId model, HubCache cache, String commit, String file) throws IOException {
    Path target = cache.snapshotFile(commit, file);
    if (Files.isRegularFile(target)) {
      listener.cached(file, Files.size(target));
      return;
    }
    String what = "file " + file + " of " + model + " (commit " + commit + ")";
    URI resolve = http.resolveUri(model, commit, file);
    try {
      withRetries(what, file, () -> {
        FileMetadata meta = FileMetadata.read(http, resolve, what);
        Path blob = cache.blob(meta.etag());
        if (!Files.isRegularFile(blob)) {
          downloadLocked(cache, meta, blob, file, what);
        } else {
          listener.cached(file, Files.size(blob));
        }
        cache.link(commit, file, blob);
        return null;
      }, false);
    } catch (IOException e) {
      throw new HubException(what + " failed after " + maxAttempts + " attempts: " + HubHttp.describeCause(e)
          + ". Bytes received so far are kept under " + cache.repoDir().resolve("blobs")
          + " (*.incomplete); run again to resume.", e);
    }
    listener.finished(file, Files.size(target));
  }

  private void downloadLocked(HubCache cache, FileMetadata meta, Path blob, String file, String what)
      throws IOException {
    Path lockFile = cache.lockFile(meta.etag());
    Files.createDirectories(lockFile.getParent());
    synchronized (JVM_LOCK) {
      try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        FileLock lock = channel.lock(); // released when the channel closes
        if (!Files.isRegularFile(blob)) { // another process may have finished it while we waited
          transfer.fetch(meta, cache.incomplete(meta.etag()), blob, file, what);
        }
        lock.release();
      }
    }
  }

  private Path fromCache(HubModelId model, HubCache cache, String reason) {
    Optional<String> commit = model.isCommitHash() ? Optional.of(model.revision()) : cache.readRef(model.revision());
    Optional<Path> snapshot = commit.flatMap(cache::completeSnapshot);
    if (snapshot.isPresent()) {
      return snapshot.get();
    }
    String lacks = commit.isEmpty()
        ? "has no record of revision \"" + model.revision() + "\" (no " + cache.repoDir().resolve("refs").resolve(model.revision()) + ")"
        : "has no complete snapshot of commit " + commit.get() + " (config, tokenizer and weights)";
    throw new HubException("Cannot get " + model + ": offline (" + reason + "), and the cache " + cache.repoDir()
        + " " + lacks + ". Download it once with network access"
        + (settings.offline() ? " (unset HF_HUB_OFFLINE)" : " (or set HF_ENDPOINT to a reachable mirror)")
        + ", or point HF_HUB_CACHE/HF_HOME at a cache that has it.");
  }

  private interface Attempt<T> {
    T run() throws IOException;
  }

  /**
   * Runs {@code attempt} up to {@link #maxAttempts} times while it fails with an {@link IOException}.
   * With {@code stopWhenUnreachable}, a hub that cannot be reached at all fails at once (to go offline).
   */
  private <T> T withRetries(String what, String file, Attempt<T> attempt, boolean stopWhenUnreachable)
      throws IOException {
    for (int n = 1; ; n++) {
      try {
        return attempt.run();
      } catch (IOException e) {
        if (n >= maxAttempts || (stopWhenUnreachable && HubHttp.isUnreachable(e))) {
          throw e;
        }
        if (file != null) {
          listener.retrying(file, n + 1, maxAttempts, HubHttp.describeCause(e));
        }
        sleep(retryDelay.multipliedBy(n), what);
      }
    }
  }

  private static void sleep(Duration delay, String what) {
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HubException("Interrupted while waiting to retry " + what + ".", e);
    }
  }

  @Override
  public String toString() {
    return "HubDownloader[" + settings + "]";
  }
}
