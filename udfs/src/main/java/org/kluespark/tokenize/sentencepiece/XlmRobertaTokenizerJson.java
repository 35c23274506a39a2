package org.kluespark.tokenize.sentencepiece;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Base64;
import org.kluespark.convert.ConversionException;
import org.kluespark.tokenize.sentencepiece.SentencePieceModel.Piece;
import org.kluespark.tokenize.sentencepiece.SentencePieceModel.PieceType;

/**
 * Writes the HuggingFace {@code tokenizer.json} that {@code XLMRobertaTokenizerFast} converts a
 * {@code sentencepiece.bpe.model} into (transformers' {@code convert_slow_tokenizer.XLMRobertaConverter} on
 * {@code SpmConverter}), for XLM-R checkpoints that ship only the SentencePiece model.
 *
 * <ul>
 *   <li>Model: Unigram, with fairseq's ids: {@code <s>=0 <pad>=1 </s>=2 <unk>=3}, then the SentencePiece
 *       pieces from the fourth on (spm id {@code i} becomes {@code i + 1}), then {@code <mask>}; unk id 3.</li>
 *   <li>Normalizer: the model's precompiled charsmap ({@code Precompiled}, stored as base64 exactly as
 *       tokenizers stores it), then {@code Strip} on the right and {@code Replace(" {2,}", "▁")}, which is
 *       how HF reproduces SentencePiece's {@code remove_extra_whitespaces}.</li>
 *   <li>Pre-tokenizer and decoder: {@code Metaspace("▁", prepend_scheme "always", split)}.</li>
 *   <li>Post-processor: {@code <s> $A </s>} and {@code <s> $A </s> </s> $B </s>}, every token type 0.</li>
 * </ul>
 */
public final class XlmRobertaTokenizerJson {
  /** The file XLM-R repositories ship (a Unigram model, despite the name). */
  public static final String SPM_FILE = "sentencepiece.bpe.model";

  static final String SPACE = "\u2581";
  private static final String BOS = "<s>";
  private static final String PAD = "<pad>";
  private static final String EOS = "</s>";
  private static final String UNK = "<unk>";
  private static final String MASK = "<mask>";
  /** The fairseq dictionary's first four entries; SentencePiece's own unk/bos/eos (ids 0-2) are dropped. */
  private static final int FAIRSEQ_SPECIALS = 4;
  private static final int UNK_ID = 3;

  private static final ObjectMapper JSON = new ObjectMapper();

  private XlmRobertaTokenizerJson() {}

  /** The tokenizer.json for {@code dir/sentencepiece.bpe.model}. */
  public static String fromCheckpoint(Path dir) {
    Path file = dir.resolve(SPM_FILE);
    return build(SentencePieceModel.read(file), file.toString());
  }

  /** The tokenizer.json for {@code model}; {@code source} names its file in messages. */
  public static String build(SentencePieceModel model, String source) {
    check(model, source);
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode vocab = JSON.createArrayNode();
    for (String special : new String[] {BOS, PAD, EOS, UNK}) {
      vocab.addArray().add(special).add(0.0);
    }
    for (int i = 3; i < model.pieces().size(); i++) {
      Piece piece = model.pieces().get(i);
      vocab.addArray().add(piece.piece()).add((double) piece.score()); // as Python reads the float32
    }
    int maskId = vocab.size();
    vocab.addArray().add(MASK).add(0.0);

    ArrayNode added = root.putArray("added_tokens");
    addedToken(added, 0, BOS, true, false);
    addedToken(added, 1, PAD, true, false);
    addedToken(added, 2, EOS, true, false);
    addedToken(added, UNK_ID, UNK, true, false);
    // SpmConverter adds user-defined pieces as (non-special, unnormalized) added tokens.
    for (int i = 3; i < model.pieces().size(); i++) {
      if (model.pieces().get(i).type() == PieceType.USER_DEFINED) {
        addedToken(added, i + 1, model.pieces().get(i).piece(), false, false);
      }
    }
    addedToken(added, maskId, MASK, true, true); // XLMRobertaTokenizer's mask is AddedToken(lstrip=True)

    root.set("normalizer", normalizer(model));
    root.set("pre_tokenizer", metaspace());
    root.set("post_processor", postProcessor());
    root.set("decoder", metaspace());
    ObjectNode unigram = root.putObject("model");
    unigram.put("type", "Unigram");
    unigram.put("unk_id", UNK_ID);
    unigram.set("vocab", vocab);
    unigram.put("byte_fallback", false);
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** XLM-R's mapping assumes fairseq's layout of the SentencePiece model; anything else is refused. */
  private static void check(SentencePieceModel model, String source) {
    String getOne = " Use the model's tokenizer.json instead (tokenizer.save_pretrained() of its fast tokenizer "
        + "writes one; `kluespark convert hf:...` downloads it when the repository has it).";
    if (model.modelType() != SentencePieceModel.UNIGRAM) {
      throw new ConversionException(source + " is a SentencePiece model of type " + model.modelType()
          + ", not Unigram (1): XLM-R's tokenizer is a Unigram model." + getOne);
    }
    if (model.pieces().size() < 4 || model.unkId() != 0 || model.bosId() != 1 || model.eosId() != 2
        || model.pieces().get(0).type() != PieceType.UNKNOWN || model.pieces().get(1).type() != PieceType.CONTROL
        || model.pieces().get(2).type() != PieceType.CONTROL) {
      throw new ConversionException(source + " does not start with <unk>, <s>, </s> (ids 0, 1, 2; it has unk_id "
          + model.unkId() + ", bos_id " + model.bosId() + ", eos_id " + model.eosId() + "), so XLM-R's fairseq "
          + "id mapping does not apply." + getOne);
    }
    if (model.byteFallback()) {
      throw new ConversionException(source + " uses byte fallback, which HF's converted XLM-R tokenizer does not "
          + "reproduce (unknown characters would become <unk> instead of bytes)." + getOne);
    }
  }

  private static void addedToken(ArrayNode added, int id, String content, boolean special, boolean lstrip) {
    added.addObject().put("id", id).put("content", content).put("single_word", false).put("lstrip", lstrip)
        .put("rstrip", false).put("normalized", false).put("special", special);
  }

  private static ObjectNode normalizer(SentencePieceModel model) {
    ObjectNode sequence = JSON.createObjectNode().put("type", "Sequence");
    ArrayNode steps = sequence.putArray("normalizers");
    if (model.precompiledCharsmap().length > 0) {
      steps.addObject().put("type", "Precompiled")
          .put("precompiled_charsmap", Base64.getEncoder().encodeToString(model.precompiledCharsmap()));
    }
    steps.addObject().put("type", "Strip").put("strip_left", false).put("strip_right", true);
    ObjectNode replace = steps.addObject().put("type", "Replace");
    replace.putObject("pattern").put("Regex", " {2,}");
    replace.put("content", SPACE);
    return sequence;
  }

  private static ObjectNode metaspace() {
    return JSON.createObjectNode().put("type", "Metaspace").put("replacement", SPACE)
        .put("prepend_scheme", "always").put("split", true);
  }

  private static ObjectNode postProcessor() {
    ObjectNode processor = JSON.createObjectNode().put("type", "TemplateProcessing");
    ArrayNode single = processor.putArray("single");
    special(single, BOS);
    sequence(single, "A");
    special(single, EOS);
    ArrayNode pair = processor.putArray("pair");
    special(pair, BOS);
    sequence(pair, "A");
    special(pair, EOS);
    special(pair, EOS);
    sequence(pair, "B");
    special(pair, EOS);
    ObjectNode specials = processor.putObject("special_tokens");
    specialToken(specials, BOS, 0);
    specialToken(specials, EOS, 2);
    return processor;
  }

  private static void special(ArrayNode template, String token) {
    template.addObject().putObject("SpecialToken").put("id", token).put("type_id", 0);
  }

  private static void sequence(ArrayNode template, String id) {
    template.addObject().putObject("Sequence").put("id", id).put("type_id", 0);
  }

  private static void specialToken(ObjectNode specials, String token, int id) {
    ObjectNode entry = specials.putObject(token).put("id", token);
    entry.putArray("ids").add(id);
    entry.putArray("tokens").add(token);
  }
}
