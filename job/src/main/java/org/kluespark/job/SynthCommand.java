package org.kluespark.job;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderFamily;
import org.kluespark.synth.ModelPreset;
import org.kluespark.synth.SyntheticCheckpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kluespark synth}: a HuggingFace-layout checkpoint with seeded random weights at a published
 * model's shape, for tests and benchmarks where the real weights cannot be downloaded.
 */
@Command(name = "synth", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    sortOptions = false,
    description = "Write a HF checkpoint (config.json, model.safetensors, vocab.txt, tokenizer.json) with seeded "
        + "random weights at a preset's shape or any size; convert it with 'kluespark convert'.",
    footer = {"", "Presets: klue-bert-base, klue-roberta-small, klue-roberta-base, klue-roberta-large, "
        + "bert_tiny_en_uncased, bert_small_en_uncased, bert_medium_en_uncased, bert_base_en_uncased, "
        + "bert_large_en_uncased, bert_base_multi, koelectra-base-v3, koelectra-small-v3, multilingual-e5-small, "
        + "multilingual-e5-base, multilingual-e5-large, bge-m3 (these four with an XLM-R Unigram tokenizer.json and "
        + "sentence-transformers modules), ko-sroberta (sentence-transformers modules: mean pooling), "
        + "kosimcse-roberta.",
        "Size options override the preset's values; without --preset they start from klue-bert-base."})
final class SynthCommand implements Callable<Integer>, ErrorReporter.Verbose {
  @Spec
  CommandSpec spec;

  @Option(names = "--preset", paramLabel = "NAME", description = "Published shape to copy (see below).")
  String preset;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Checkpoint directory to write.")
  Path output;

  @Option(names = "--corpus", paramLabel = "PATH", split = ",", description = "Text files or directories the "
      + "WordPiece vocabulary (Unigram pieces for XLM-R) is learnt from (every line). Default: datasets/ of this "
      + "repository.")
  List<Path> corpus;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--family", paramLabel = "bert|roberta|electra|xlm-roberta", description = "Encoder family.")
  String family;

  @Option(names = "--vocab-size", paramLabel = "N") Integer vocabSize;
  @Option(names = "--hidden-size", paramLabel = "N") Integer hiddenSize;
  @Option(names = "--layers", paramLabel = "N") Integer layers;
  @Option(names = "--heads", paramLabel = "N") Integer heads;
  @Option(names = "--intermediate-size", paramLabel = "N") Integer intermediateSize;
  @Option(names = "--max-positions", paramLabel = "N") Integer maxPositions;
  @Option(names = "--embedding-size", paramLabel = "N", description = "ELECTRA's embedding width (projected to "
      + "the hidden size when it differs). Default: the preset's, else the hidden size.")
  Integer embeddingSize;

  @Option(names = "--lowercase", negatable = true, description = "Lowercase in the tokenizer. Default: as the "
      + "preset (uncased English presets lowercase; KLUE and multilingual do not).")
  Boolean lowercase;

  @Option(names = "--verbose", description = "Print stack traces on errors.")
  boolean verbose;

  @Override
  public boolean verbose() {
    return verbose;
  }

  @Override
  public Integer call() {
    ModelPreset base = preset == null ? ModelPreset.KLUE_BERT_BASE : ModelPreset.byId(preset);
    EncoderConfig config = resolveConfig(base.config());
    List<Path> corpusPaths = corpus != null ? corpus : List.of(defaultCorpus());
    List<String> lines = SyntheticCheckpoint.corpusLines(corpusPaths);
    long start = System.nanoTime();
    // The preset's tokenizer kind and sentence-transformers declaration, unless --family makes it another model.
    boolean samefamily = config.family() == base.config().family();
    ModelPreset.Tokenizer tokenizer = config.family() == EncoderFamily.XLM_ROBERTA ? ModelPreset.Tokenizer.XLMR_UNIGRAM
        : samefamily ? base.tokenizer() : ModelPreset.Tokenizer.WORDPIECE;
    SyntheticCheckpoint.Written written = SyntheticCheckpoint.write(config,
        lowercase != null ? lowercase : base.lowercase(), tokenizer, samefamily ? base.declared() : null, lines,
        seed, output);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("kluespark: wrote %s: %s, %,d parameters, %d of %d vocabulary tokens learnt from %d corpus lines, "
        + "in %.1f s.%n", output, config.summary(), written.parameters(), written.vocabularyLearnt(),
        config.vocabSize(), lines.size(), (System.nanoTime() - start) / 1e9);
    if (samefamily && base.declared() != null) {
      out.printf("kluespark: sentence-transformers layout (modules.json): %s%n", base.declared().summary());
    }
    out.printf("kluespark: next: kluespark convert %s --output <bundle dir>%n", output);
    out.flush();
    return 0;
  }

  private EncoderConfig resolveConfig(EncoderConfig c) {
    EncoderFamily f = family == null ? c.family() : EncoderFamily.fromModelType(family, "--family");
    boolean familyChanged = f != c.family();
    int pad = familyChanged ? f.defaultPadTokenId() : c.padTokenId();
    int types = familyChanged ? (f.robertaPositions() ? 1 : 2) : c.typeVocabSize();
    double eps = familyChanged ? (f.robertaPositions() ? 1e-5 : 1e-12) : c.layerNormEps();
    int positions = maxPositions != null ? maxPositions
        : familyChanged ? (f.robertaPositions() ? 514 : 512) : c.maxPositionEmbeddings();
    int hidden = or(hiddenSize, c.hiddenSize());
    int embedding = embeddingSize != null ? embeddingSize
        : f == EncoderFamily.ELECTRA && !familyChanged ? c.embeddingSize() : hidden;
    return new EncoderConfig(f, or(vocabSize, c.vocabSize()), hidden, or(layers, c.numLayers()),
        or(heads, c.numHeads()), or(intermediateSize, c.intermediateSize()), c.hiddenAct(), positions, types, eps, pad,
        embedding);
  }

  private static int or(Integer value, int fallback) {
    return value != null ? value : fallback;
  }

  private static Path defaultCorpus() {
    Path datasets = Path.of("datasets");
    if (!Files.isDirectory(datasets)) {
      throw new IllegalArgumentException("No --corpus given and no datasets/ directory here; run from the "
          + "kluespark checkout or pass --corpus with Korean text files.");
    }
    return datasets;
  }
}
