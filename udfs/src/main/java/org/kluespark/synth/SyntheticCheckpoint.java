package org.kluespark.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.kluespark.checkpoint.SafetensorsWriter;
import org.kluespark.checkpoint.TensorDtype;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderFamily;
import org.kluespark.tokenize.sentencepiece.SentencePieceModel;
import org.kluespark.tokenize.sentencepiece.XlmRobertaTokenizerJson;
import org.kluespark.tokenize.wordpiece.VocabFile;
import org.kluespark.tokenize.wordpiece.WordPieceOptions;
import org.kluespark.tokenize.wordpiece.WordPieceTokenizerJson;
import org.kluespark.tokenize.wordpiece.WordPieceVocabBuilder;

/**
 * Writes a HuggingFace-layout checkpoint with seeded random weights: {@code config.json},
 * {@code model.safetensors}, {@code vocab.txt}, {@code tokenizer_config.json} and {@code tokenizer.json} (XLM-R
 * presets: a Unigram tokenizer.json and no vocab.txt), plus the sentence-transformers files where the
 * published model has them.
 * The vocabulary is learnt from a text corpus so Korean test text tokenizes into real subwords; it has
 * exactly the config's {@code vocab_size} tokens. Converted like any real checkpoint, these models drive
 * tests and benchmarks at the published sizes without network access.
 */
public final class SyntheticCheckpoint {
  /** klue/roberta-*'s special tokens: [CLS]=0 [PAD]=1 [SEP]=2 [UNK]=3 [MASK]=4 (pad_token_id 1). */
  static final List<String> ROBERTA_SPECIALS = List.of("[CLS]", "[PAD]", "[SEP]", "[UNK]", "[MASK]");

  private SyntheticCheckpoint() {}

  /** What was written. */
  public record Written(Path dir, EncoderConfig config, int vocabularyLearnt, long parameters) {}

  /** XLM-R's tokenizer size: 250,000 SentencePiece pieces in fairseq's layout. */
  static final int XLMR_TOKENIZER_VOCAB = 250_002;

  /** A checkpoint at {@code preset}'s shape with its tokenizer kind and sentence-transformers declaration. */
  public static Written write(ModelPreset preset, List<String> corpus, long seed, Path dir) {
    return write(preset.config(), preset.lowercase(), preset.tokenizer(), preset.declared(), corpus, seed, dir);
  }

  /** A WordPiece checkpoint, or an XLM-R one (Unigram tokenizer) for the xlm-roberta family. */
  public static Written write(EncoderConfig config, boolean lowercase, List<String> corpus, long seed, Path dir) {
    ModelPreset.Tokenizer tokenizer = config.family() == EncoderFamily.XLM_ROBERTA
        ? ModelPreset.Tokenizer.XLMR_UNIGRAM : ModelPreset.Tokenizer.WORDPIECE;
    return write(config, lowercase, tokenizer, null, corpus, seed, dir);
  }

  /**
   * A WordPiece or XLM-R checkpoint (by family, as {@link #write(EncoderConfig, boolean, List, long, Path)}) in
   * sentence-transformers layout with any pipeline {@link SentenceModules} describes: every pooling mode, an
   * optional Dense layer with seeded weights, optional Normalize (for tests of the declared pipeline).
   */
  public static Written write(EncoderConfig config, boolean lowercase, List<String> corpus, long seed, Path dir,
      SentenceModules modules) {
    ModelPreset.Tokenizer tokenizer = config.family() == EncoderFamily.XLM_ROBERTA
        ? ModelPreset.Tokenizer.XLMR_UNIGRAM : ModelPreset.Tokenizer.WORDPIECE;
    return write(config, lowercase, tokenizer, modules, corpus, seed, dir);
  }

  /**
   * @param declared the sentence-transformers modules to write beside the weights, or null for none
   */
  public static Written write(EncoderConfig config, boolean lowercase, ModelPreset.Tokenizer tokenizer,
      SentenceModules declared, List<String> corpus, long seed, Path dir) {
    Written written = tokenizer == ModelPreset.Tokenizer.XLMR_UNIGRAM
        ? writeWithUnigram(config, corpus, seed, dir) : writeWithWordPiece(config, lowercase, corpus, seed, dir);
    if (declared != null) {
      try {
        declared.write(dir, config.hiddenSize(), seed);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write the sentence-transformers files to " + dir + ": "
            + e.getMessage(), e);
      }
    }
    return written;
  }

  /**
   * XLM-R's layout: tokenizer.json with a Unigram model learnt from the corpus ({@link UnigramVocabBuilder}),
   * {@code min(vocab_size, 250,002)} ids as XLM-R's tokenizer has (multilingual-e5-small's table has 35 rows more),
   * and an XLMRobertaTokenizer tokenizer_config.json. No precompiled charsmap: the text is not NFKC-normalized.
   */
  private static Written writeWithUnigram(EncoderConfig config, List<String> corpus, long seed, Path dir) {
    int ids = Math.min(config.vocabSize(), XLMR_TOKENIZER_VOCAB);
    if (ids < 10) {
      throw new IllegalArgumentException("An XLM-R tokenizer needs at least 10 ids; vocab_size is " + config.vocabSize());
    }
    SentencePieceModel pieces = UnigramVocabBuilder.build(corpus, ids - 2); // + <pad> and <mask>
    int learnt = (int) pieces.pieces().stream().filter(p -> !p.piece().startsWith("\uE000")).count() - 3;
    var weights = SyntheticWeights.generate(config, seed, true);
    long parameters = weights.values().stream().mapToLong(w -> w.values().length).sum();
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("config.json"), config.toJson(), StandardCharsets.UTF_8);
      Files.writeString(dir.resolve(WordPieceTokenizerJson.FILE_NAME),
          XlmRobertaTokenizerJson.build(pieces, "the synthetic Unigram model"), StandardCharsets.UTF_8);
      ObjectNode tokenizerConfig = new ObjectMapper().createObjectNode()
          .put("tokenizer_class", "XLMRobertaTokenizer").put("model_max_length", config.maxSequenceLength());
      Files.writeString(dir.resolve("tokenizer_config.json"), tokenizerConfig.toPrettyString() + "\n",
          StandardCharsets.UTF_8);
      SafetensorsWriter.write(dir.resolve("model.safetensors"), weights, TensorDtype.F32);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the synthetic checkpoint to " + dir + ": " + e.getMessage(), e);
    }
    return new Written(dir, config, learnt, parameters);
  }

  private static Written writeWithWordPiece(EncoderConfig config, boolean lowercase, List<String> corpus, long seed,
      Path dir) {
    WordPieceOptions options = WordPieceOptions.klue().withLowercase(lowercase);
    List<String> vocab = new WordPieceVocabBuilder(options).build(corpus, config.vocabSize());
    if (config.family().robertaPositions()) {
      vocab = withSpecialsFirst(vocab, ROBERTA_SPECIALS);
    }
    int learnt = (int) vocab.stream().filter(token -> !token.startsWith("[unused")).count();
    var weights = SyntheticWeights.generate(config, seed, config.family().canHavePooler());
    long parameters = weights.values().stream().mapToLong(w -> w.values().length).sum();
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("config.json"), config.toJson(), StandardCharsets.UTF_8);
      VocabFile.write(vocab, dir.resolve(VocabFile.FILE_NAME));
      Files.writeString(dir.resolve("tokenizer_config.json"), tokenizerConfig(lowercase), StandardCharsets.UTF_8);
      Files.writeString(dir.resolve(WordPieceTokenizerJson.FILE_NAME), WordPieceTokenizerJson.build(vocab, options),
          StandardCharsets.UTF_8);
      SafetensorsWriter.write(dir.resolve("model.safetensors"), weights, TensorDtype.F32);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the synthetic checkpoint to " + dir + ": " + e.getMessage(), e);
    }
    return new Written(dir, config, learnt, parameters);
  }

  /** Every line of every regular file under {@code paths} (directories are walked in name order). */
  public static List<String> corpusLines(List<Path> paths) {
    List<String> lines = new ArrayList<>();
    for (Path path : paths) {
      if (!Files.exists(path)) {
        throw new IllegalArgumentException("Corpus path " + path + " does not exist; give text files or "
            + "directories of them (the datasets/ samples by default).");
      }
      try (Stream<Path> files = Files.walk(path)) {
        for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
          lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read corpus " + path + ": " + e.getMessage(), e);
      }
    }
    return lines;
  }

  private static List<String> withSpecialsFirst(List<String> vocab, List<String> specials) {
    List<String> reordered = new ArrayList<>(specials);
    vocab.stream().filter(token -> !specials.contains(token)).forEach(reordered::add);
    return reordered;
  }

  private static String tokenizerConfig(boolean lowercase) {
    ObjectNode root = new ObjectMapper().createObjectNode();
    root.put("tokenizer_class", "BertTokenizer");
    root.put("do_lower_case", lowercase);
    root.put("tokenize_chinese_chars", true);
    root.put("model_max_length", 512);
    return root.toPrettyString() + "\n";
  }
}
