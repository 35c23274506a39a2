package org.kluespark.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.kluespark.checkpoint.SafetensorsWriter;
import org.kluespark.checkpoint.TensorDtype;
import org.kluespark.checkpoint.WeightTensor;
import org.kluespark.pooling.DenseLayer;
import org.kluespark.pooling.Pooling;

/**
 * The sentence-transformers pipeline a synthetic checkpoint declares, written as sentence-transformers saves it:
 * {@code modules.json}, {@code 1_Pooling/config.json}, optionally {@code 2_Dense/} (config.json and
 * model.safetensors with seeded random {@code linear.weight} / {@code linear.bias}) and a {@code N_Normalize}
 * entry (a folder without files, as sentence-transformers writes it).
 *
 * @param pooling a sentence-transformers mode (not auto or pooler)
 * @param denseOutFeatures the Dense layer's output width, or null for no Dense layer
 * @param activation the Dense layer's activation (ignored without one)
 * @param normalize whether the pipeline ends with Normalize
 */
public record SentenceModules(Pooling pooling, Integer denseOutFeatures, DenseLayer.Activation activation,
    boolean normalize) {
  private static final Map<Pooling, String> CONFIG_KEYS = Map.of(
      Pooling.CLS, "pooling_mode_cls_token", Pooling.MEAN, "pooling_mode_mean_tokens",
      Pooling.MAX, "pooling_mode_max_tokens", Pooling.MEAN_SQRT_LEN_TOKENS, "pooling_mode_mean_sqrt_len_tokens",
      Pooling.WEIGHTEDMEAN, "pooling_mode_weightedmean_tokens", Pooling.LASTTOKEN, "pooling_mode_lasttoken");
  private static final String PREFIX = "sentence_transformers.models.";

  public SentenceModules {
    if (!CONFIG_KEYS.containsKey(pooling)) {
      throw new IllegalArgumentException("A sentence-transformers pooling mode is one of " + CONFIG_KEYS.keySet()
          + ", not " + pooling);
    }
  }

  /** multilingual-e5-*: mean pooling, then L2 normalization. */
  public static final SentenceModules MEAN_NORMALIZED = of(Pooling.MEAN, true);
  /** bge-m3 (dense): the first token's vector, then L2 normalization. */
  public static final SentenceModules CLS_NORMALIZED = of(Pooling.CLS, true);

  /** Pooling and optional normalization, no Dense layer. */
  public static SentenceModules of(Pooling pooling, boolean normalize) {
    return new SentenceModules(pooling, null, DenseLayer.Activation.IDENTITY, normalize);
  }

  /** These modules with a Dense layer of {@code outFeatures} and {@code activation}. */
  public SentenceModules withDense(int outFeatures, DenseLayer.Activation denseActivation) {
    return new SentenceModules(pooling, outFeatures, denseActivation, normalize);
  }

  /** "mean, Dense -> 256 tanh, normalize". */
  public String summary() {
    return pooling.paramValue() + (denseOutFeatures == null ? "" : ", Dense -> " + denseOutFeatures + " "
        + activation.paramValue()) + (normalize ? ", normalize" : "");
  }

  /** Writes the files into {@code dir} for a model of {@code hiddenSize}; Dense weights drawn from {@code seed}. */
  void write(Path dir, int hiddenSize, long seed) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ArrayNode modules = json.createArrayNode();
    addModule(modules, "", "Transformer");
    String poolingDir = addModule(modules, null, "Pooling");
    ObjectNode poolingConfig = json.createObjectNode();
    poolingConfig.put("word_embedding_dimension", hiddenSize);
    for (Pooling mode : new Pooling[] {Pooling.CLS, Pooling.MEAN, Pooling.MAX, Pooling.MEAN_SQRT_LEN_TOKENS,
        Pooling.WEIGHTEDMEAN, Pooling.LASTTOKEN}) {
      poolingConfig.put(CONFIG_KEYS.get(mode), mode == pooling);
    }
    poolingConfig.put("include_prompt", true);
    write(dir.resolve(poolingDir).resolve("config.json"), poolingConfig.toPrettyString());
    if (denseOutFeatures != null) {
      Path denseDir = dir.resolve(addModule(modules, null, "Dense"));
      ObjectNode denseConfig = json.createObjectNode();
      denseConfig.put("in_features", hiddenSize);
      denseConfig.put("out_features", denseOutFeatures);
      denseConfig.put("bias", true);
      denseConfig.put("activation_function", activation.torchClass());
      write(denseDir.resolve("config.json"), denseConfig.toPrettyString());
      SafetensorsWriter.write(denseDir.resolve("model.safetensors"), denseWeights(hiddenSize, seed), TensorDtype.F32);
    }
    if (normalize) {
      Files.createDirectories(dir.resolve(addModule(modules, null, "Normalize")));
    }
    write(dir.resolve("modules.json"), modules.toPrettyString());
  }

  /** nn.Linear's default init, U(-1/sqrt(in), 1/sqrt(in)), for weight and bias. */
  private Map<String, WeightTensor> denseWeights(int in, long seed) {
    SplittableRandom random = new SplittableRandom(seed ^ 0x5EED_DE45EL);
    double bound = 1 / Math.sqrt(in);
    float[] weight = new float[denseOutFeatures * in];
    for (int i = 0; i < weight.length; i++) {
      weight[i] = (float) random.nextDouble(-bound, bound);
    }
    float[] bias = new float[denseOutFeatures];
    for (int i = 0; i < bias.length; i++) {
      bias[i] = (float) random.nextDouble(-bound, bound);
    }
    Map<String, WeightTensor> tensors = new LinkedHashMap<>();
    tensors.put("linear.weight", new WeightTensor("linear.weight", new long[] {denseOutFeatures, in}, weight));
    tensors.put("linear.bias", new WeightTensor("linear.bias", new long[] {denseOutFeatures}, bias));
    return tensors;
  }

  /** Appends a module; its folder is {@code idx_Type} unless {@code path} is given. Returns the folder. */
  private static String addModule(ArrayNode modules, String path, String type) {
    int idx = modules.size();
    String folder = path != null ? path : idx + "_" + type;
    ObjectNode module = modules.addObject();
    module.put("idx", idx);
    module.put("name", Integer.toString(idx));
    module.put("path", folder);
    module.put("type", PREFIX + type);
    return folder;
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text + "\n", StandardCharsets.UTF_8);
  }
}
