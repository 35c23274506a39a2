package org.kluespark.model;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import org.kluespark.pooling.DenseLayer;
import org.kluespark.pooling.DenseWeightsFile;
import org.kluespark.pooling.SentenceDeclaration;
import org.kluespark.tokenize.TokenizerSource;

/**
 * The bytes of a model bundle, read once on the driver and broadcast to executors: {@code model.onnx},
 * {@code tokenizer.json} and the optional HF {@code config.json}.
 *
 * <p>The fingerprint is a SHA-256 over the model and tokenizer bytes; executors key their one-per-JVM
 * session on it, so two paths holding the same files share a session and a changed file never reuses a
 * stale one.
 */
public final class ModelBundle implements Serializable, TokenizerSource {
  private static final long serialVersionUID = 1L;

  public static final String MODEL_FILE = "model.onnx";
  public static final String TOKENIZER_FILE = "tokenizer.json";
  public static final String CONFIG_FILE = "config.json";
  /** ONNX external data beside model.onnx, for models whose weights do not fit one 2 GB protobuf. */
  public static final String EXTERNAL_DATA_FILE = "model.onnx.data";

  /**
   * The weights file of a model with ONNX external data. It is never broadcast: executors read it from
   * {@code location} (any Hadoop file system) and check its length and SHA-256.
   */
  public record ExternalData(String location, long length, String sha256) implements Serializable {}

  private final String location;
  private final byte[] modelBytes;
  private final byte[] tokenizerBytes;
  private final byte[] configBytes; // null when the bundle has no config.json
  private final ExternalData externalData; // null when the weights are inside model.onnx
  private final BundleManifest manifest; // null when the bundle has no kluespark.json
  private final SentenceDeclaration declaration; // null when the manifest declares no pooling
  private final byte[] denseBytes; // dense.safetensors, null when the declaration has no Dense layer
  // Parsed from denseBytes; transient so a broadcast carries the weights once, re-read on first use after it.
  private transient volatile DenseLayer dense;
  private final Precision precision;
  private final String fingerprint;

  private ModelBundle(String location, byte[] modelBytes, byte[] tokenizerBytes, byte[] configBytes,
      ExternalData externalData, BundleManifest manifest, byte[] denseBytes) {
    this.location = Objects.requireNonNull(location, "location");
    this.modelBytes = Objects.requireNonNull(modelBytes, "modelBytes");
    this.tokenizerBytes = Objects.requireNonNull(tokenizerBytes, "tokenizerBytes");
    this.configBytes = configBytes;
    this.externalData = externalData;
    this.fingerprint = fingerprintOf(modelBytes, tokenizerBytes, externalData);
    this.precision = GraphPrecision.of(modelBytes, fileLocation(MODEL_FILE));
    this.manifest = manifest;
    if (manifest != null) {
      manifest.checkDescribes(FileDigests.sha256Hex(modelBytes), precision, fileLocation(BundleManifest.FILE),
          fileLocation(MODEL_FILE));
    }
    this.declaration = manifest == null ? null : declarationIn(manifest);
    if (declaration != null && declaration.dense() != null) {
      String denseFile = fileLocation(SentenceDeclaration.DENSE_FILE);
      if (denseBytes == null) {
        throw new ModelBundleException(fileLocation(BundleManifest.FILE) + " declares a Dense layer ("
            + declaration.dense().summary() + "), but " + denseFile + " is missing. Copy the whole bundle "
            + "directory, or re-create it with kluespark convert.");
      }
      String expected = manifest.parameters().get(SentenceDeclaration.DENSE_SHA256);
      String actual = FileDigests.sha256Hex(denseBytes);
      if (!actual.equalsIgnoreCase(expected)) {
        throw new ModelBundleException(fileLocation(BundleManifest.FILE) + " describes a " + SentenceDeclaration.DENSE_FILE
            + " with sha256 " + expected + ", but " + denseFile + " has sha256 " + actual + ": the Dense weights "
            + "were replaced or changed after the bundle was written. Re-create the bundle with kluespark convert.");
      }
      this.denseBytes = denseBytes;
      this.dense = readDense(); // refuses unreadable weights at load, on the driver
    } else {
      this.denseBytes = null;
    }
  }

  private SentenceDeclaration declarationIn(BundleManifest manifest) {
    try {
      return SentenceDeclaration.fromParameters(manifest.parameters(), fileLocation(BundleManifest.FILE));
    } catch (IllegalArgumentException e) {
      throw new ModelBundleException(e.getMessage(), e);
    }
  }

  /** The pooling the bundle's kluespark.json declares (sentence-transformers modules), if any. */
  public java.util.Optional<SentenceDeclaration> declaration() {
    return java.util.Optional.ofNullable(declaration);
  }

  /** The declared Dense layer with its weights, or null when none is declared. */
  public DenseLayer dense() {
    DenseLayer layer = dense;
    if (layer == null && denseBytes != null) {
      layer = readDense();
      dense = layer;
    }
    return layer;
  }

  private DenseLayer readDense() {
    try {
      return DenseWeightsFile.read(denseBytes, declaration.dense(), fileLocation(SentenceDeclaration.DENSE_FILE));
    } catch (IllegalArgumentException e) {
      throw new ModelBundleException(e.getMessage(), e);
    }
  }

  /** The bytes of {@link SentenceDeclaration#DENSE_FILE}, or null when the bundle has none. */
  public byte[] denseBytes() {
    return denseBytes;
  }

  public static ModelBundle of(String location, byte[] modelBytes, byte[] tokenizerBytes, byte[] configBytes) {
    return new ModelBundle(location, modelBytes, tokenizerBytes, configBytes, null, null, null);
  }

  /**
   * A bundle with its optional external data and {@code kluespark.json}; a manifest that does not describe
   * {@code modelBytes} is refused ({@link BundleManifest#checkDescribes}).
   */
  public static ModelBundle of(String location, byte[] modelBytes, byte[] tokenizerBytes, byte[] configBytes,
      ExternalData externalData, BundleManifest manifest) {
    return new ModelBundle(location, modelBytes, tokenizerBytes, configBytes, externalData, manifest, null);
  }

  /**
   * As {@link #of(String, byte[], byte[], byte[], ExternalData, BundleManifest)}, with the bytes of the bundle's
   * {@link SentenceDeclaration#DENSE_FILE} (null when it has none), checked against the manifest's SHA-256.
   */
  public static ModelBundle of(String location, byte[] modelBytes, byte[] tokenizerBytes, byte[] configBytes,
      ExternalData externalData, BundleManifest manifest, byte[] denseBytes) {
    return new ModelBundle(location, modelBytes, tokenizerBytes, configBytes, externalData, manifest, denseBytes);
  }

  /** What the graph computes in, read from its nodes (and agreeing with the manifest when there is one). */
  public Precision precision() {
    return precision;
  }

  /** The bundle's {@code kluespark.json}, if it has one. */
  public java.util.Optional<BundleManifest> manifest() {
    return java.util.Optional.ofNullable(manifest);
  }

  /** The external weights file, or null when model.onnx holds its weights. */
  public ExternalData externalData() {
    return externalData;
  }

  /** Where the bundle was read from, for messages. */
  public String location() {
    return location;
  }

  /** The ONNX graph. The array is shared, not copied: do not modify it. */
  public byte[] modelBytes() {
    return modelBytes;
  }

  @Override
  public byte[] tokenizerBytes() {
    return tokenizerBytes;
  }

  /** The bundle's fingerprint: model and tokenizer together. */
  @Override
  public String tokenizerKey() {
    return fingerprint;
  }

  public String tokenizerJson() {
    return new String(tokenizerBytes, StandardCharsets.UTF_8);
  }

  /** The HF config.json text, or null when the bundle has none. */
  public String configJson() {
    return configBytes == null ? null : new String(configBytes, StandardCharsets.UTF_8);
  }

  public byte[] configBytes() {
    return configBytes;
  }

  public String fingerprint() {
    return fingerprint;
  }

  public String fileLocation(String fileName) {
    return location.endsWith("/") ? location + fileName : location + "/" + fileName;
  }

  private static String fingerprintOf(byte[] model, byte[] tokenizer, ExternalData externalData) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(model);
      digest.update(tokenizer);
      if (externalData != null) {
        digest.update(externalData.sha256().getBytes(StandardCharsets.US_ASCII));
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  @Override
  public String toString() {
    return "ModelBundle(" + location + ", sha256=" + fingerprint.substring(0, 12) + ")";
  }
}
