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
import org.kluespark.tokenize.wordpiece.VocabFile;
import org.kluespark.tokenize.wordpiece.WordPieceOptions;
import org.kluespark.tokenize.wordpiece.WordPieceTokenizerJson;
import org.kluespark.tokenize.wordpiece.WordPieceVocabBuilder;

/**
 * Writes a HuggingFace-layout checkpoint with seeded random weights: {@code config.json},
 * {@code model.safetensors}, {@code vocab.txt}, {@code tokenizer_config.json} and {@code tokenizer.json}, plus the
 * sentence-transformers files when the model declares a pipeline ({@link SentenceModules}).
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

  public static Written write(EncoderConfig config, boolean lowercase, List<String> corpus, long seed, Path dir) {
    return write(config, lowercase, corpus, seed, dir, null);
  }

  /**
   * As {@link #write(EncoderConfig, boolean, List, long, Path)}, in sentence-transformers layout when
   * {@code modules} is not null ({@link SentenceModules}: modules.json, 1_Pooling, optional Dense and Normalize).
   */
  public static Written write(EncoderConfig config, boolean lowercase, List<String> corpus, long seed, Path dir,
      SentenceModules modules) {
    WordPieceOptions options = WordPieceOptions.klue().withLowercase(lowercase);
    List<String> vocab = new WordPieceVocabBuilder(options).build(corpus, config.vocabSize());
    if (config.family() == EncoderFamily.ROBERTA) {
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
      if (modules != null) {
        modules.write(dir, config.hiddenSize(), seed);
      }
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
