package org.kluespark.model;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.security.AccessControlException;

/**
 * Reads a model bundle directory through Hadoop's FileSystem, so any URI Spark can read works
 * ({@code file:}, {@code hdfs:}, {@code s3a:}, {@code abfss:}, {@code dbfs:}), or resolves a built-in name
 * such as {@code minilm}.
 */
public final class ModelBundleLoader {
  /** ONNX protobufs are capped at 2 GiB; larger models keep their weights in model.onnx.data. */
  private static final long MAX_INLINE_MODEL_BYTES = Integer.MAX_VALUE - 8;

  private ModelBundleLoader() {}

  public static ModelBundle load(String modelPath, Configuration hadoopConf) {
    String location = location(modelPath);
    Path dir = new Path(location);
    try {
      FileSystem fs = dir.getFileSystem(hadoopConf);
      requireDirectory(fs, dir, location);
      byte[] model = readRequired(fs, dir, ModelBundle.MODEL_FILE, location);
      byte[] tokenizer = readRequired(fs, dir, ModelBundle.TOKENIZER_FILE, location);
      byte[] config = readOptional(fs, new Path(dir, ModelBundle.CONFIG_FILE));
      Path dataFile = new Path(dir, ModelBundle.EXTERNAL_DATA_FILE);
      ModelBundle.ExternalData externalData = statusOrNull(fs, dataFile) == null ? null
          : new ModelBundle.ExternalData(fs.makeQualified(dataFile).toString(), fs.getFileStatus(dataFile).getLen(), sha256(fs, dataFile));
      byte[] manifest = readOptional(fs, new Path(dir, BundleManifest.FILE));
      byte[] dense = readOptional(fs, new Path(dir, org.kluespark.pooling.SentenceDeclaration.DENSE_FILE));
      return ModelBundle.of(location, model, tokenizer, config, externalData, manifest == null ? null
          : BundleManifest.parse(new String(manifest, java.nio.charset.StandardCharsets.UTF_8),
              new Path(dir, BundleManifest.FILE).toString()), dense);
    } catch (AccessControlException e) {
      throw permissionDenied(location, e);
    } catch (IOException e) {
      throw new ModelBundleException("Cannot read model directory " + location + ": " + e, e);
    }
  }

  /**
   * Reads only {@code tokenizer.json} (and {@code config.json} when present) of a bundle directory, for stages
   * that tokenize without running the model: {@code model.onnx} is neither read nor required.
   */
  public static TokenizerBundle loadTokenizer(String modelPath, Configuration hadoopConf) {
    String location = location(modelPath);
    Path dir = new Path(location);
    try {
      FileSystem fs = dir.getFileSystem(hadoopConf);
      requireDirectory(fs, dir, location);
      byte[] tokenizer = readRequired(fs, dir, ModelBundle.TOKENIZER_FILE, location);
      byte[] config = readOptional(fs, new Path(dir, ModelBundle.CONFIG_FILE));
      return new TokenizerBundle(location, tokenizer, config);
    } catch (AccessControlException e) {
      throw permissionDenied(location, e);
    } catch (IOException e) {
      throw new ModelBundleException("Cannot read model directory " + location + ": " + e, e);
    }
  }

  private static String location(String modelPath) {
    if (modelPath == null || modelPath.isBlank()) {
      throw new ModelBundleException(
          "modelPath is not set: give a bundle directory (model.onnx + tokenizer.json) or a built-in name "
              + BuiltinModels.names());
    }
    return BuiltinModels.isBuiltin(modelPath) ? BuiltinModels.resolve(modelPath).toUri().toString() : modelPath;
  }

  private static void requireDirectory(FileSystem fs, Path dir, String location) throws IOException {
    FileStatus status = statusOrNull(fs, dir);
    if (status == null) {
      throw new ModelBundleException("Model directory " + location + " does not exist. Give a directory "
          + "holding model.onnx and tokenizer.json, or a built-in model name " + BuiltinModels.names() + ".");
    }
    if (!status.isDirectory()) {
      throw new ModelBundleException("Model path " + location + " is a file, not a directory. Point "
          + "modelPath at the directory that holds model.onnx and tokenizer.json.");
    }
    // A directory the user cannot list would otherwise look empty ("has no model.onnx"): fail as unreadable.
    fs.listStatus(dir);
  }

  private static ModelBundleException permissionDenied(String location, AccessControlException e) {
    return new ModelBundleException("Cannot read model directory " + location + ": permission denied ("
        + e.getMessage() + "). Grant the Spark user read access to it.", e);
  }

  /**
   * Streams {@code file} through SHA-256 (external data can be many GB; it is never held in memory). A
   * local file goes through {@link FileDigests}, so this JVM does not read it again to check a session's copy.
   */
  public static String sha256(FileSystem fs, Path file) throws IOException {
    if ("file".equals(fs.getScheme())) {
      return FileDigests.sha256(java.nio.file.Paths.get(fs.makeQualified(file).toUri()));
    }
    java.security.MessageDigest digest = FileDigests.newSha256();
    try (InputStream in = fs.open(file)) {
      byte[] buffer = new byte[1 << 20];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    }
    return java.util.HexFormat.of().formatHex(digest.digest());
  }

  private static byte[] readRequired(FileSystem fs, Path dir, String name, String location) throws IOException {
    Path file = new Path(dir, name);
    if (statusOrNull(fs, file) == null) {
      throw new ModelBundleException("Model directory " + location + " has no " + name + ". A kluespark "
          + "bundle holds model.onnx (the encoder exported to ONNX) and tokenizer.json (the HuggingFace fast "
          + "tokenizer file), plus an optional config.json.");
    }
    return readAll(fs, file);
  }

  private static byte[] readOptional(FileSystem fs, Path file) throws IOException {
    return statusOrNull(fs, file) == null ? null : readAll(fs, file);
  }

  private static FileStatus statusOrNull(FileSystem fs, Path path) throws IOException {
    try {
      return fs.getFileStatus(path);
    } catch (FileNotFoundException e) {
      return null;
    }
  }

  private static byte[] readAll(FileSystem fs, Path file) throws IOException {
    long length = fs.getFileStatus(file).getLen();
    if (length > MAX_INLINE_MODEL_BYTES) {
      throw new ModelBundleException(file + " is " + length + " bytes; an ONNX protobuf cannot exceed 2 GiB. "
          + "Write the weights as ONNX external data (model.onnx.data beside model.onnx); kluespark convert "
          + "does so for large models.");
    }
    try (InputStream in = fs.open(file)) {
      return in.readAllBytes();
    }
  }
}
