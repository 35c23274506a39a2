package org.kluespark.tokenize.wordpiece;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.kluespark.convert.ConversionException;

/**
 * Writes the HuggingFace {@code tokenizer.json} that {@code BertTokenizerFast} would convert a WordPiece
 * {@code vocab.txt} into (transformers' {@code convert_slow_tokenizer.BertConverter}), for checkpoints such as
 * KLUE BERT and KLUE RoBERTa that ship only {@code vocab.txt} and {@code tokenizer_config.json}.
 *
 * <p>Ids are line numbers. A token on several lines keeps the id of its <em>last</em> line, as HF's
 * {@code load_vocab} fills a dict line by line; the earlier ids are then left without a token, and
 * {@code tokenizer.json} lists only the surviving ids (as the tokenizers library saves such a vocab).
 */
public final class WordPieceTokenizerJson {
  public static final String FILE_NAME = "tokenizer.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private WordPieceTokenizerJson() {}

  /**
   * The {@code tokenizer.json} for a checkpoint directory holding {@code vocab.txt} and, optionally,
   * {@code tokenizer_config.json} and {@code special_tokens_map.json}.
   */
  public static String fromCheckpoint(Path dir) {
    Path vocabFile = dir.resolve(VocabFile.FILE_NAME);
    if (!Files.isRegularFile(vocabFile)) {
      throw new ConversionException("No " + VocabFile.FILE_NAME + " in " + dir + ": a WordPiece (BERT-style) "
          + "tokenizer is built from it" + (Files.isRegularFile(dir.resolve("vocab.json"))
              ? "; this directory has vocab.json, a BPE vocabulary, which is not supported"
              : "")
          + ". Copy vocab.txt (or a ready tokenizer.json) from the model's repository into " + dir + ".");
    }
    WordPieceOptions options = WordPieceCheckpointConfig.read(dir);
    return build(VocabFile.read(vocabFile), options, vocabFile.toString());
  }

  /** The {@code tokenizer.json} for {@code vocab} (index = id) with the given settings. */
  public static String build(List<String> vocab, WordPieceOptions options) {
    return build(vocab, options, "the vocabulary");
  }

  private static String build(List<String> vocab, WordPieceOptions options, String vocabSource) {
    if (vocab.isEmpty()) {
      throw new ConversionException(vocabSource + " is empty; a WordPiece vocabulary needs one token per line.");
    }
    Map<String, Integer> ids = idsByToken(vocab);
    Map<String, String> coreFields = new LinkedHashMap<>();
    coreFields.put("unk_token", options.unk().content());
    coreFields.put("cls_token", options.cls().content());
    coreFields.put("sep_token", options.sep().content());
    coreFields.put("pad_token", options.pad().content());
    coreFields.put("mask_token", options.mask().content());
    coreFields.forEach((field, token) -> requireInVocab(ids, vocab, token, field, vocabSource));
    options.extraSpecialTokens().forEach(token ->
        requireInVocab(ids, vocab, token.content(), "special token", vocabSource));

    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    root.set("added_tokens", addedTokens(options, ids));
    root.set("normalizer", normalizer(options));
    root.set("pre_tokenizer", JSON.createObjectNode().put("type", "BertPreTokenizer"));
    root.set("post_processor", postProcessor(options, ids));
    root.set("decoder", JSON.createObjectNode().put("type", "WordPiece").put("prefix", "##").put("cleanup", true));
    root.set("model", model(options, ids));
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot serialise tokenizer.json", e);
    }
  }

  /** Token → id, the last line winning, ordered by id. */
  static Map<String, Integer> idsByToken(List<String> vocab) {
    Map<String, Integer> ids = new LinkedHashMap<>();
    for (int id = 0; id < vocab.size(); id++) {
      ids.put(vocab.get(id), id);
    }
    Map<String, Integer> byId = new LinkedHashMap<>();
    ids.entrySet().stream().sorted(Map.Entry.comparingByValue())
        .forEach(entry -> byId.put(entry.getKey(), entry.getValue()));
    return byId;
  }

  private static void requireInVocab(Map<String, Integer> ids, List<String> vocab, String token, String field,
      String vocabSource) {
    if (ids.containsKey(token)) {
      return;
    }
    String bomHint = vocab.get(0).startsWith("\uFEFF")
        ? " Its first line starts with a byte-order mark, which HF keeps as part of the token: save the file "
            + "as UTF-8 without BOM."
        : "";
    throw new ConversionException("The " + field + " '" + token + "' is not in " + vocabSource + "." + bomHint
        + " Add it to vocab.txt, or name a token that is in it in tokenizer_config.json or "
        + "special_tokens_map.json.");
  }

  private static ArrayNode addedTokens(WordPieceOptions options, Map<String, Integer> ids) {
    List<SpecialToken> specials = new ArrayList<>(List.of(
        options.pad(), options.unk(), options.cls(), options.sep(), options.mask()));
    specials.addAll(options.extraSpecialTokens());
    Map<String, SpecialToken> unique = new LinkedHashMap<>();
    specials.forEach(token -> unique.putIfAbsent(token.content(), token));
    ArrayNode added = JSON.createArrayNode();
    unique.values().stream()
        .sorted(Comparator.comparingInt(token -> ids.get(token.content())))
        .forEach(token -> added.addObject()
            .put("id", ids.get(token.content()))
            .put("content", token.content())
            .put("single_word", token.singleWord())
            .put("lstrip", token.lstrip())
            .put("rstrip", token.rstrip())
            .put("normalized", token.normalized())
            .put("special", true));
    return added;
  }

  private static ObjectNode normalizer(WordPieceOptions options) {
    ObjectNode normalizer = JSON.createObjectNode()
        .put("type", "BertNormalizer")
        .put("clean_text", true)
        .put("handle_chinese_chars", options.tokenizeChineseChars());
    if (options.stripAccents() == null) {
      normalizer.putNull("strip_accents");
    } else {
      normalizer.put("strip_accents", options.stripAccents());
    }
    return normalizer.put("lowercase", options.lowercase());
  }

  /** {@code [CLS] $A [SEP]} and {@code [CLS] $A [SEP] $B [SEP]}, the second text and its [SEP] as type 1. */
  private static ObjectNode postProcessor(WordPieceOptions options, Map<String, Integer> ids) {
    String cls = options.cls().content();
    String sep = options.sep().content();
    ObjectNode processor = JSON.createObjectNode().put("type", "TemplateProcessing");
    ArrayNode single = processor.putArray("single");
    special(single, cls, 0);
    sequence(single, "A", 0);
    special(single, sep, 0);
    ArrayNode pair = processor.putArray("pair");
    special(pair, cls, 0);
    sequence(pair, "A", 0);
    special(pair, sep, 0);
    sequence(pair, "B", 1);
    special(pair, sep, 1);
    ObjectNode specialTokens = processor.putObject("special_tokens");
    for (String token : new TreeSet<>(List.of(cls, sep))) {
      ObjectNode entry = specialTokens.putObject(token).put("id", token);
      entry.putArray("ids").add(ids.get(token));
      entry.putArray("tokens").add(token);
    }
    return processor;
  }

  private static void special(ArrayNode template, String token, int typeId) {
    template.addObject().putObject("SpecialToken").put("id", token).put("type_id", typeId);
  }

  private static void sequence(ArrayNode template, String id, int typeId) {
    template.addObject().putObject("Sequence").put("id", id).put("type_id", typeId);
  }

  private static ObjectNode model(WordPieceOptions options, Map<String, Integer> ids) {
    ObjectNode model = JSON.createObjectNode()
        .put("type", "WordPiece")
        .put("unk_token", options.unk().content())
        .put("continuing_subword_prefix", "##")
        .put("max_input_chars_per_word", 100);
    ObjectNode vocab = model.putObject("vocab");
    ids.forEach(vocab::put);
    return model;
  }
}
