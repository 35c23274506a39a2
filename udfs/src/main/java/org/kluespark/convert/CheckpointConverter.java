package org.kluespark.convert;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.kluespark.checkpoint.CheckpointReader;
import org.kluespark.checkpoint.WeightTensor;
import org.kluespark.model.BundleManifest;
import org.kluespark.model.FileDigests;
import org.kluespark.pooling.DenseWeightsFile;
import org.kluespark.pooling.PoolingRule;
import org.kluespark.pooling.SentenceDeclaration;
import org.kluespark.model.Precision;
import org.kluespark.precision.PrecisionConversion;

/**
 * Turns a HuggingFace checkpoint directory into a kluespark bundle ({@code model.onnx},
 * {@code tokenizer.json}, {@code config.json}) in pure Java: read config and weights, check them against
 * each other, write the ONNX graph, and take the tokenizer as is or build it from {@code vocab.txt}.
 */
public final class CheckpointConverter {
  public static final String CONFIG_FILE = "config.json";
  public static final String TOKENIZER_FILE = "tokenizer.json";

  private CheckpointConverter() {}

  /**
   * What a conversion produced, for the CLI's summary and for tests.
   *
   * @param tokenizerBuiltFromVocab whether tokenizer.json was built (from vocab.txt or sentencepiece.bpe.model)
   *     rather than copied
   */
  public record Result(Path bundleDir, EncoderConfig config, boolean hasPooler, boolean externalData,
      boolean tokenizerBuiltFromVocab, long parameters, Duration readTime, Duration writeTime,
      SentenceDeclaration declaration) {

    /** What {@code pooling=auto} means for the bundle ({@link PoolingRule}). */
    public String autoPooling() {
      return PoolingRule.autoSummary(declaration, hasPooler);
    }
  }

  public static Result convert(Path checkpointDir, Path outputDir, ExportOptions options, Consumer<String> progress) {
    Path configFile = checkpointDir.resolve(CONFIG_FILE);
    if (!Files.isRegularFile(configFile)) {
      throw new ConversionException(checkpointDir + " has no config.json. Point the converter at a HuggingFace "
          + "checkpoint directory (config.json, model.safetensors or pytorch_model.bin, tokenizer.json or vocab.txt).");
    }
    long start = System.nanoTime();
    String configJson = read(configFile);
    EncoderConfig config = EncoderConfig.parse(configJson, configFile.toString());
    if (config.family() == EncoderFamily.ELECTRA) {
      ElectraGenerators.refuseByConfig(configJson, configFile.toString());
    }
    progress.accept("config: " + config.summary());
    // Read the sentence-transformers files before the weights, so a pipeline kluespark cannot compute fails fast.
    SentenceTransformerModules.Pipeline pipeline = SentenceTransformerModules.read(checkpointDir, config.hiddenSize());
    if (pipeline != null) {
      progress.accept("modules.json declares: " + pipeline.declaration().summary());
    }
    Map<String, WeightTensor> checkpoint = CheckpointReader.read(checkpointDir);
    if (config.family() == EncoderFamily.ELECTRA) {
      ElectraGenerators.refuseByWeights(checkpoint.keySet(), checkpointDir.toString());
    }
    EncoderWeights weights = EncoderWeights.of(config, checkpoint, checkpointDir.toString());
    CheckpointTokenizer tokenizer = CheckpointTokenizer.of(checkpointDir, config.family());
    tokenizer.checkFits(config, configFile);
    long parameters = EncoderWeights.expectedShapes(config, weights.hasPooler()).values().stream()
        .mapToLong(WeightTensor::elementCount).sum();
    progress.accept("weights: " + parameters + " parameters"
        + (weights.hasPooler() ? ", with pooler" : ", no pooler weights") + "; pooling=auto will use "
        + PoolingRule.autoSummary(pipeline == null ? null : pipeline.declaration(), weights.hasPooler()));
    Duration readTime = Duration.ofNanos(System.nanoTime() - start);

    start = System.nanoTime();
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("kluespark.source", sourceName(checkpointDir));
    ModelProto model = EncoderGraphWriter.write(weights, options, metadata);
    checkpoint.clear(); // the graph holds its own copy of every weight from here on
    PrecisionConversion.Result converted = PrecisionConversion.convert(model, options.precision(),
        checkpointDir.toString());
    converted.summary().forEach(progress);
    Map<String, String> howMade = new LinkedHashMap<>();
    howMade.put("family", config.family().modelType());
    howMade.put("hidden_states", Boolean.toString(options.hiddenStates()));
    if (options.halfWeights()) {
      howMade.put("weight_storage", "float16, cast to float32 in the graph");
    }
    howMade.putAll(converted.parameters());
    boolean external;
    try {
      Files.createDirectories(outputDir);
      if (pipeline != null) {
        String denseSha256 = null;
        if (pipeline.dense() != null) {
          Path denseFile = outputDir.resolve(SentenceDeclaration.DENSE_FILE);
          DenseWeightsFile.write(denseFile, pipeline.dense());
          denseSha256 = FileDigests.sha256(denseFile);
        }
        howMade.putAll(pipeline.declaration().toParameters(denseSha256));
      }
      external = BundleFiles.writeModel(converted.model(), outputDir, options.externalDataThresholdBytes(),
          new BundleManifest.Source(sourceName(checkpointDir), CheckpointFingerprint.of(checkpointDir)), howMade);
      Files.writeString(outputDir.resolve(CONFIG_FILE), configJson, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the bundle to " + outputDir + ": " + e.getMessage(), e);
    }
    tokenizer.write(outputDir.resolve(TOKENIZER_FILE));
    boolean fromVocab = tokenizer.builtFrom() != null;
    progress.accept("wrote " + outputDir.resolve(OnnxModelFiles.MODEL_FILE)
        + (external ? " with external data " + OnnxModelFiles.EXTERNAL_DATA_FILE : "")
        + (options.halfWeights() ? " (float16 weights)" : "")
        + (options.precision().precision() == Precision.FP32 ? "" : " (" + options.precision().precision().paramValue() + ")")
        + "; tokenizer.json " + (fromVocab ? "built from " + tokenizer.builtFrom() : "copied"));
    return new Result(outputDir, config, weights.hasPooler(), external, fromVocab, parameters, readTime,
        Duration.ofNanos(System.nanoTime() - start), pipeline == null ? null : pipeline.declaration());
  }

  private static String sourceName(Path checkpointDir) {
    return checkpointDir.getFileName() == null ? checkpointDir.toString() : checkpointDir.getFileName().toString();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConversionException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
