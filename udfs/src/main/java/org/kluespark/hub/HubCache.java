package org.kluespark.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One repository's folder in the huggingface_hub cache, laid out exactly as huggingface_hub lays it out
 * so either tool reuses the other's downloads:
 *
 * <pre>
 * {cacheDir}/models--ORG--NAME/blobs/{etag}                 file contents, named by the hub's ETag
 * {cacheDir}/models--ORG--NAME/blobs/{etag}.incomplete      a partial download, resumed with Range
 * {cacheDir}/models--ORG--NAME/snapshots/{commit}/{file}    relative symlink to ../../blobs/{etag}
 * {cacheDir}/models--ORG--NAME/refs/{revision}              the commit the revision last pointed at
 * {cacheDir}/.locks/models--ORG--NAME/{etag}.lock           held while a blob downloads
 * </pre>
 */
final class HubCache {

  // ETags become file names: a sha256/sha1 in hex, or at worst a token without path characters.
  private static final Pattern SAFE_ETAG = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");

  private final HubModelId model;
  private final Path repoDir;
  private final Path locksDir;

  HubCache(Path cacheDir, HubModelId model) {
    this.model = model;
    this.repoDir = cacheDir.resolve(model.cacheFolderName());
    this.locksDir = cacheDir.resolve(".locks").resolve(model.cacheFolderName());
  }

  Path repoDir() {
    return repoDir;
  }

  Path blob(String etag) {
    if (!SAFE_ETAG.matcher(etag).matches()) {
      throw new HubException(model + ": the hub sent ETag \"" + etag + "\", which is not usable as a cache "
          + "file name; check HF_ENDPOINT points at a HuggingFace hub.");
    }
    return repoDir.resolve("blobs").resolve(etag);
  }

  Path incomplete(String etag) {
    return blob(etag).resolveSibling(etag + ".incomplete");
  }

  /** Where huggingface_hub keeps its per-blob lock, so a Python download of the same blob waits for ours. */
  Path lockFile(String etag) {
    blob(etag);
    return locksDir.resolve(etag + ".lock");
  }

  Path snapshotDir(String commit) {
    return repoDir.resolve("snapshots").resolve(commit);
  }

  Path snapshotFile(String commit, String file) {
    return snapshotDir(commit).resolve(checkRelative(file, model.toString()));
  }

  Optional<String> readRef(String revision) {
    Path ref = repoDir.resolve("refs").resolve(revision);
    try {
      if (!Files.isRegularFile(ref)) {
        return Optional.empty();
      }
      String commit = Files.readString(ref, StandardCharsets.UTF_8).trim();
      return HubModelId.isCommit(commit) ? Optional.of(commit) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read cache ref " + ref, e);
    }
  }

  void writeRef(String revision, String commit) throws IOException {
    if (revision.equals(commit)) {
      return; // huggingface_hub writes no ref for a revision that is itself the commit
    }
    Path ref = repoDir.resolve("refs").resolve(revision);
    if (readRef(revision).filter(commit::equals).isPresent()) {
      return;
    }
    Files.createDirectories(ref.getParent());
    Path tmp = Files.createTempFile(ref.getParent(), ".ref", ".tmp");
    Files.writeString(tmp, commit, StandardCharsets.UTF_8);
    Files.move(tmp, ref, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Makes {@code snapshots/{commit}/{file}} point at {@code blob}: a relative symlink as huggingface_hub
   * makes, or a copy where the file system refuses symlinks (Windows without developer mode, some mounts).
   */
  void link(String commit, String file, Path blob) throws IOException {
    Path target = snapshotFile(commit, file);
    Files.createDirectories(target.getParent());
    Files.deleteIfExists(target);
    try {
      Files.createSymbolicLink(target, target.getParent().relativize(blob));
    } catch (UnsupportedOperationException | SecurityException | IOException e) {
      Files.copy(blob, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * The snapshot for {@code commit} if it holds every file the converter needs (dangling links do not
   * count), else empty.
   */
  Optional<Path> completeSnapshot(String commit) {
    Path dir = snapshotDir(commit);
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    List<String> present = listFiles(dir);
    try {
      List<String> needed = CheckpointFiles.select(present, dir.toString());
      Optional<String> index = CheckpointFiles.weightIndex(needed);
      if (index.isPresent()) {
        List<String> shards = CheckpointFiles.shardsOf(dir.resolve(index.get()), index.get());
        if (!present.containsAll(shards)) {
          return Optional.empty();
        }
      }
    } catch (HubException incomplete) {
      return Optional.empty();
    }
    return Optional.of(dir);
  }

  /** A file name from the hub or an index, refused if it could escape the snapshot folder. */
  static String checkRelative(String file, String source) {
    boolean bad = file == null || file.isEmpty() || file.startsWith("/") || file.contains("\\")
        || file.contains(":") || Stream.of(file.split("/", -1)).anyMatch(s -> s.isEmpty() || s.equals(".") || s.equals(".."));
    if (bad) {
      throw new HubException(source + " names file \"" + file + "\", which is not a plain relative path; "
          + "refusing to write it outside the cache.");
    }
    return file;
  }

  private static List<String> listFiles(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString().replace('\\', '/'))
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list cache snapshot " + dir, e);
    }
  }
}
