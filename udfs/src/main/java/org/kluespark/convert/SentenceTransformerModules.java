package org.kluespark.convert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kluespark.checkpoint.CheckpointReader;
import org.kluespark.checkpoint.WeightTensor;
import org.kluespark.pooling.DenseLayer;
import org.kluespark.pooling.Pooling;
import org.kluespark.pooling.SentenceDeclaration;

/**
 * Reads a sentence-transformers checkpoint's pipeline: {@code modules.json} (Transformer, Pooling, optional Dense,
 * optional Normalize, in this order), the Pooling module's {@code config.json} and the Dense module's
 * {@code config.json} and weights. Anything kluespark cannot compute exactly as sentence-transformers does is
 * refused with a message naming it.
 */
public final class SentenceTransformerModules {
  public static final String MODULES_FILE = "modules.json";

  /** The pooling modes of {@code 1_Pooling/config.json}, in sentence-transformers' order. */
  static final Map<String, Pooling> MODES = new LinkedHashMap<>();

  static {
    MODES.put("pooling_mode_cls_token", Pooling.CLS);
    MODES.put("pooling_mode_mean_tokens", Pooling.MEAN);
    MODES.put("pooling_mode_max_tokens", Pooling.MAX);
    MODES.put("pooling_mode_mean_sqrt_len_tokens", Pooling.MEAN_SQRT_LEN_TOKENS);
    MODES.put("pooling_mode_weightedmean_tokens", Pooling.WEIGHTEDMEAN);
    MODES.put("pooling_mode_lasttoken", Pooling.LASTTOKEN);
  }

  private static final List<String> TYPES = List.of("Transformer", "Pooling", "Dense", "Normalize");
  private static final String TYPE_PREFIX = "sentence_transformers.models.";
  private static final ObjectMapper JSON = new ObjectMapper();

  private SentenceTransformerModules() {}

  /** The declaration and the Dense layer with its weights (null when the model has none). */
  public record Pipeline(SentenceDeclaration declaration, DenseLayer dense) {}

  /** The pipeline {@code checkpointDir}'s modules.json declares, or null when it has no modules.json. */
  public static Pipeline read(Path checkpointDir, int hiddenSize) {
    Path modulesFile = checkpointDir.resolve(MODULES_FILE);
    if (!Files.isRegularFile(modulesFile)) {
      return null;
    }
    JsonNode modules = readJson(modulesFile);
    if (!modules.isArray() || modules.isEmpty()) {
      throw new ConversionException(modulesFile + " is not a JSON array of modules ({\"type\": ..., \"path\": ...}); "
          + "fix or delete it (without it the checkpoint is converted with no declared pooling).");
    }
    List<String> types = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    for (JsonNode module : modules) {
      String type = module.path("type").asText("");
      if (!module.isObject() || type.isEmpty()) {
        throw new ConversionException(modulesFile + ": module " + module + " has no \"type\"; expected one of "
            + supportedTypes() + ".");
      }
      String shortType = type.startsWith(TYPE_PREFIX) ? type.substring(TYPE_PREFIX.length()) : type;
      if (!TYPES.contains(shortType)) {
        throw new ConversionException(modulesFile + " names module type '" + type + "', which kluespark does "
            + "not support; supported: " + supportedTypes() + " (in this order, Dense and Normalize optional). "
            + "A custom module's code cannot run here: convert without modules.json and pool explicitly.");
      }
      types.add(shortType);
      paths.add(module.path("path").asText(""));
    }
    int pooling = types.indexOf("Pooling");
    int dense = types.indexOf("Dense");
    int normalize = types.indexOf("Normalize");
    boolean ordered = types.get(0).equals("Transformer") && pooling == 1
        && types.stream().filter(t -> t.equals("Transformer") || t.equals("Pooling")).count() == 2
        && types.stream().filter(t -> t.equals("Dense")).count() <= 1
        && types.stream().filter(t -> t.equals("Normalize")).count() <= 1
        && (dense < 0 || dense == 2) && (normalize < 0 || normalize == types.size() - 1);
    if (!ordered) {
      throw new ConversionException(modulesFile + " lists modules " + types + "; kluespark computes "
          + "[Transformer, Pooling, Dense (optional), Normalize (optional)] in this order, each at most once.");
    }
    Pooling mode = poolingMode(checkpointDir.resolve(paths.get(pooling)).resolve("config.json"), hiddenSize);
    DenseLayer denseLayer = dense < 0 ? null : dense(checkpointDir.resolve(paths.get(dense)), hiddenSize);
    return new Pipeline(new SentenceDeclaration(mode, denseLayer == null ? null : denseLayer.config(),
        normalize >= 0, MODULES_FILE), denseLayer);
  }

  private static String supportedTypes() {
    return TYPES.stream().map(t -> TYPE_PREFIX + t).toList().toString();
  }

  static Pooling poolingMode(Path configFile, int hiddenSize) {
    JsonNode config = readJson(configFile);
    int dimension = config.path("word_embedding_dimension").asInt(hiddenSize);
    if (dimension != hiddenSize) {
      throw new ConversionException(configFile + " says word_embedding_dimension " + dimension + ", but the "
          + "model's hidden_size is " + hiddenSize + "; the Pooling module belongs to another model.");
    }
    if (config.has("include_prompt") && !config.path("include_prompt").asBoolean(true)) {
      throw new ConversionException(configFile + " sets include_prompt=false (the prompt's tokens left out of "
          + "the pooling), which kluespark does not support: it pools every token, textPrefix included. Remove the "
          + "flag to pool the prompt too.");
    }
    List<String> set = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = config.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getKey().startsWith("pooling_mode_") && field.getValue().asBoolean(false)) {
        if (!MODES.containsKey(field.getKey())) {
          throw new ConversionException(configFile + " sets pooling mode '" + field.getKey() + "', which kluespark "
              + "does not support; supported: " + MODES.keySet() + ".");
        }
        set.add(field.getKey());
      }
    }
    List<String> order = List.copyOf(MODES.keySet());
    set.sort(java.util.Comparator.comparingInt(order::indexOf)); // sentence-transformers' order, not the file's
    if (set.size() > 1) {
      throw new ConversionException(configFile + " sets several pooling modes " + set + ", which "
          + "sentence-transformers concatenates into one vector; kluespark pools with one mode. Keep one, or "
          + "convert without modules.json and pool explicitly.");
    }
    if (set.isEmpty()) {
      throw new ConversionException(configFile + " sets no pooling mode; set one of " + MODES.keySet() + " to true.");
    }
    return MODES.get(set.get(0));
  }

  static DenseLayer dense(Path denseDir, int hiddenSize) {
    Path configFile = denseDir.resolve("config.json");
    JsonNode config = readJson(configFile);
    int in = config.path("in_features").asInt(-1);
    int out = config.path("out_features").asInt(-1);
    if (in <= 0 || out <= 0) {
      throw new ConversionException(configFile + " has no positive in_features and out_features.");
    }
    if (in != hiddenSize) {
      throw new ConversionException(configFile + " says in_features " + in + ", but the pooled vector has "
          + hiddenSize + " values (the model's hidden_size).");
    }
    boolean bias = config.path("bias").asBoolean(true);
    DenseLayer.Activation activation;
    try {
      activation = DenseLayer.Activation.parse(
          config.path("activation_function").asText("torch.nn.modules.activation.Tanh"), configFile.toString());
    } catch (IllegalArgumentException e) {
      throw new ConversionException(e.getMessage(), e);
    }
    DenseLayer.Config shape = new DenseLayer.Config(in, out, bias, activation);
    if (CheckpointReader.find(denseDir).isEmpty()) {
      throw new ConversionException(denseDir + " has no Dense weights (model.safetensors or pytorch_model.bin "
          + "with linear.weight" + (bias ? " and linear.bias" : "") + "). Download the whole Dense folder.");
    }
    Map<String, WeightTensor> weights = CheckpointReader.read(denseDir);
    float[] weight = tensor(weights, "linear.weight", new long[] {out, in}, denseDir);
    float[] biasValues = bias ? tensor(weights, "linear.bias", new long[] {out}, denseDir) : null;
    return new DenseLayer(shape, weight, biasValues);
  }

  private static float[] tensor(Map<String, WeightTensor> weights, String name, long[] shape, Path dir) {
    WeightTensor tensor = weights.get(name);
    if (tensor == null) {
      throw new ConversionException(dir + ": the Dense weights have no " + name + " (found " + weights.keySet()
          + ").");
    }
    if (!Arrays.equals(tensor.shape(), shape)) {
      throw new ConversionException(dir + ": " + name + " has shape " + Arrays.toString(tensor.shape())
          + ", but config.json declares " + Arrays.toString(shape) + ".");
    }
    return tensor.values();
  }

  private static JsonNode readJson(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConversionException(file + " is missing; modules.json names its folder. Download it with the "
          + "rest of the sentence-transformers checkpoint.");
    }
    try {
      JsonNode node = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
      if (node == null) {
        throw new ConversionException(file + " is empty; expected JSON.");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new ConversionException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ConversionException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
