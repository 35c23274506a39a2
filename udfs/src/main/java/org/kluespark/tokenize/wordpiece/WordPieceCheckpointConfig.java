package org.kluespark.tokenize.wordpiece;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kluespark.convert.ConversionException;

/**
 * Reads a checkpoint's {@code tokenizer_config.json} and {@code special_tokens_map.json} (both optional) into
 * {@link WordPieceOptions}, the way {@code BertTokenizer.from_pretrained} does: a token named in
 * {@code special_tokens_map.json} overrides the one in {@code tokenizer_config.json}, and a token may be a
 * string or an AddedToken object {@code {"content": ...}}. {@code never_split} and other fields are ignored.
 */
final class WordPieceCheckpointConfig {
  static final String TOKENIZER_CONFIG = "tokenizer_config.json";
  static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private WordPieceCheckpointConfig() {}

  static WordPieceOptions read(Path dir) {
    Path configFile = dir.resolve(TOKENIZER_CONFIG);
    Path mapFile = dir.resolve(SPECIAL_TOKENS_MAP);
    JsonNode config = readObject(configFile);
    JsonNode map = readObject(mapFile);
    Map<String, JsonNode> addedTokenFlags = addedTokensByContent(config, configFile);
    WordPieceOptions defaults = WordPieceOptions.defaults();
    TokenReader tokens = new TokenReader(config, configFile, map, mapFile, addedTokenFlags);

    List<SpecialToken> extras = new ArrayList<>();
    for (String field : List.of("bos_token", "eos_token")) {
      SpecialToken token = tokens.read(field, null);
      if (token != null) {
        extras.add(token);
      }
    }
    extras.addAll(tokens.readList("additional_special_tokens"));

    return new WordPieceOptions(
        bool(config, "do_lower_case", defaults.lowercase(), configFile),
        bool(config, "tokenize_chinese_chars", defaults.tokenizeChineseChars(), configFile),
        bool(config, "strip_accents", null, configFile),
        tokens.read("unk_token", defaults.unk()),
        tokens.read("cls_token", defaults.cls()),
        tokens.read("sep_token", defaults.sep()),
        tokens.read("pad_token", defaults.pad()),
        tokens.read("mask_token", defaults.mask()),
        extras);
  }

  /** The file's JSON object, or a missing node when the file does not exist. */
  private static JsonNode readObject(Path file) {
    if (!Files.isRegularFile(file)) {
      return MissingNode.getInstance();
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new ConversionException(file + " is not valid JSON (" + e.getMessage()
          + "). Fix or delete it; without it BertTokenizer's defaults apply.", e);
    }
    if (root == null || !root.isObject()) {
      throw new ConversionException(file + " is not a JSON object. Fix or delete it; without it "
          + "BertTokenizer's defaults apply.");
    }
    return root;
  }

  private static Boolean bool(JsonNode config, String field, Boolean fallback, Path file) {
    JsonNode node = config.path(field);
    if (node.isMissingNode() || node.isNull()) {
      return fallback;
    }
    if (!node.isBoolean()) {
      throw new ConversionException(file + ": " + field + " must be true, false or null, got " + node + ".");
    }
    return node.booleanValue();
  }

  /** Newer configs list every added token with its flags under {@code added_tokens_decoder} (id → AddedToken). */
  private static Map<String, JsonNode> addedTokensByContent(JsonNode config, Path file) {
    Map<String, JsonNode> byContent = new HashMap<>();
    JsonNode decoder = config.path("added_tokens_decoder");
    if (decoder.isObject()) {
      decoder.elements().forEachRemaining(entry -> {
        if (entry.path("content").isTextual()) {
          byContent.put(entry.get("content").textValue(), entry);
        }
      });
    } else if (!decoder.isMissingNode() && !decoder.isNull()) {
      throw new ConversionException(file + ": added_tokens_decoder must be an object of id → AddedToken, got "
          + decoder.getNodeType() + ".");
    }
    return byContent;
  }

  /** Special tokens from the two files, the map first. */
  private record TokenReader(JsonNode config, Path configFile, JsonNode map, Path mapFile,
      Map<String, JsonNode> addedTokenFlags) {

    SpecialToken read(String field, SpecialToken fallback) {
      JsonNode node = map.path(field);
      Path file = mapFile;
      if (node.isMissingNode() || node.isNull()) {
        node = config.path(field);
        file = configFile;
      }
      if (node.isMissingNode() || node.isNull()) {
        return fallback;
      }
      return token(node, field, file);
    }

    List<SpecialToken> readList(String field) {
      JsonNode node = map.path(field);
      Path file = mapFile;
      if (node.isMissingNode() || node.isNull()) {
        node = config.path(field);
        file = configFile;
      }
      List<SpecialToken> tokens = new ArrayList<>();
      if (node.isMissingNode() || node.isNull()) {
        return tokens;
      }
      if (!node.isArray()) {
        throw new ConversionException(file + ": " + field + " must be a list of tokens, got " + node + ".");
      }
      for (JsonNode element : node) {
        tokens.add(token(element, field, file));
      }
      return tokens;
    }

    private SpecialToken token(JsonNode node, String field, Path file) {
      if (node.isTextual()) {
        JsonNode flags = addedTokenFlags.get(node.textValue());
        return flags == null ? checked(node.textValue(), field, file) : fromObject(flags, field, file);
      }
      if (node.isObject()) {
        return fromObject(node, field, file);
      }
      throw new ConversionException(file + ": " + field + " must be a string or an AddedToken object "
          + "{\"content\": ...}, got " + node + ".");
    }

    private static SpecialToken fromObject(JsonNode node, String field, Path file) {
      JsonNode content = node.path("content");
      if (!content.isTextual()) {
        throw new ConversionException(file + ": " + field + " is an AddedToken object without a string "
            + "\"content\": " + node + ". Give the token text as \"content\".");
      }
      checked(content.textValue(), field, file);
      return new SpecialToken(content.textValue(), node.path("single_word").asBoolean(false),
          node.path("lstrip").asBoolean(false), node.path("rstrip").asBoolean(false),
          node.path("normalized").asBoolean(false));
    }

    private static SpecialToken checked(String content, String field, Path file) {
      if (content.isEmpty()) {
        throw new ConversionException(file + ": " + field + " is empty; give the token text or remove the field.");
      }
      return SpecialToken.of(content);
    }
  }
}
