package org.kluespark.model;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import org.kluespark.tokenize.TokenizerSource;

/**
 * The tokenizer half of a model bundle ({@code tokenizer.json} and the optional {@code config.json}), read
 * on the driver and broadcast to executors by stages that tokenize without running the model. Its key is a
 * SHA-256 of the tokenizer bytes, so executors build one tokenizer per distinct file.
 */
public final class TokenizerBundle implements Serializable, TokenizerSource {
  private static final long serialVersionUID = 1L;

  private final String location;
  private final byte[] tokenizerBytes;
  private final byte[] configBytes; // null without config.json
  private final String key;
  private final long padTokenId;
  private final Integer maxPositions;

  /** Validates the files: the tokenizer must be a HF tokenizer.json, the config (if any) valid JSON. */
  public TokenizerBundle(String location, byte[] tokenizerBytes, byte[] configBytes) {
    this.location = Objects.requireNonNull(location, "location");
    this.tokenizerBytes = Objects.requireNonNull(tokenizerBytes, "tokenizerBytes");
    this.configBytes = configBytes;
    String tokenizerJson = new String(tokenizerBytes, StandardCharsets.UTF_8);
    TokenizerFile.vocabularySize(tokenizerJson, fileLocation(ModelBundle.TOKENIZER_FILE));
    this.padTokenId = TokenizerFile.padTokenId(tokenizerJson);
    this.maxPositions = HfConfig.parse(configBytes == null ? null : new String(configBytes, StandardCharsets.UTF_8),
        fileLocation(ModelBundle.CONFIG_FILE)).usablePositions();
    this.key = "tokenizer-" + sha256(tokenizerBytes);
  }

  /** Where the files were read from, for messages. */
  public String location() {
    return location;
  }

  @Override
  public byte[] tokenizerBytes() {
    return tokenizerBytes;
  }

  /** The config.json bytes, or null when the bundle has none. */
  public byte[] configBytes() {
    return configBytes;
  }

  @Override
  public String tokenizerKey() {
    return key;
  }

  /** The id rows are padded with (the same the encoder pads batches with). */
  public long padTokenId() {
    return padTokenId;
  }

  /** Positions the model can take per config.json, or null when unknown. */
  public Integer maxPositions() {
    return maxPositions;
  }

  public String fileLocation(String fileName) {
    return location.endsWith("/") ? location + fileName : location + "/" + fileName;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  @Override
  public String toString() {
    return "TokenizerBundle(" + location + ")";
  }
}
