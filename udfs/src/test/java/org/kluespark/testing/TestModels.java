package org.kluespark.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.kluespark.model.BuiltinModels;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelBundleLoader;

/** Shared test fixtures: the built-in MiniLM bundle and the repository's paths. */
public final class TestModels {
  /**
   * MiniLM's real hidden states in its torch.jit export, as HF's {@code output_hidden_states} returns them:
   * the embeddings LayerNorm output, then the output LayerNorm of encoder layers 0..5 (the export decomposes
   * LayerNorm; {@code .../LayerNorm/Add_1} adds its bias, the last op). Layer 5's is {@code last_hidden_state}.
   */
  public static final List<String> MINILM_HIDDEN_STATE_TENSORS = List.of(
      "/embeddings/LayerNorm/Add_1_output_0",
      "/encoder/layer.0/output/LayerNorm/Add_1_output_0",
      "/encoder/layer.1/output/LayerNorm/Add_1_output_0",
      "/encoder/layer.2/output/LayerNorm/Add_1_output_0",
      "/encoder/layer.3/output/LayerNorm/Add_1_output_0",
      "/encoder/layer.4/output/LayerNorm/Add_1_output_0",
      "last_hidden_state");

  private static ModelBundle minilm;
  private static Path minilmWithHiddenStates;

  private TestModels() {}

  /** The extracted MiniLM bundle directory (all-MiniLM-L6-v2: 384 hidden, 6 layers, with BERT's pooler output). */
  public static Path minilmDir() {
    return BuiltinModels.resolve(BuiltinModels.MINILM);
  }

  public static synchronized ModelBundle minilm() {
    if (minilm == null) {
      minilm = ModelBundleLoader.load(minilmDir().toUri().toString(), new Configuration());
    }
    return minilm;
  }

  /**
   * A MiniLM bundle directory whose model also outputs {@code hidden_states.0} … {@code hidden_states.6}
   * ({@link #MINILM_HIDDEN_STATE_TENSORS}), written once per JVM into a temporary directory.
   */
  public static synchronized Path minilmWithHiddenStatesDir() {
    if (minilmWithHiddenStates == null) {
      byte[] model = OnnxFixtures.withHiddenStates(minilm().modelBytes(), MINILM_HIDDEN_STATE_TENSORS);
      minilmWithHiddenStates = bundleDir("minilm-hidden-states", model);
    }
    return minilmWithHiddenStates;
  }

  /** A temporary bundle directory with {@code model} and MiniLM's tokenizer.json and config.json, removed at exit. */
  public static Path bundleDir(String prefix, byte[] model) {
    return bundleDir(prefix, model, minilm().tokenizerBytes());
  }

  /** As {@link #bundleDir(String, byte[])} with another tokenizer.json (its ids must fit MiniLM's vocabulary). */
  public static Path bundleDir(String prefix, byte[] model, byte[] tokenizerJson) {
    try {
      Path dir = Files.createTempDirectory(prefix);
      dir.toFile().deleteOnExit(); // registered first, so deleted after its files
      write(dir.resolve(ModelBundle.MODEL_FILE), model);
      write(dir.resolve(ModelBundle.TOKENIZER_FILE), tokenizerJson);
      write(dir.resolve(ModelBundle.CONFIG_FILE), minilm().configBytes());
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write a test bundle", e);
    }
  }

  private static void write(Path file, byte[] bytes) throws IOException {
    Files.write(file, bytes);
    file.toFile().deleteOnExit();
  }

  /** The repository root (set by surefire), for datasets/ and ../shared. */
  public static Path repoRoot() {
    String root = System.getProperty("kluespark.repo.root");
    return root != null ? Paths.get(root) : Paths.get("").toAbsolutePath().getParent();
  }

  /**
   * A converted synthetic checkpoint at {@code preset}'s published shape (seed 42, vocabulary learnt from
   * {@code datasets/}), made once and cached under the build's kluespark cache ({@code target/kluespark-cache/synth}).
   */
  public static Path syntheticBundle(org.kluespark.synth.ModelPreset preset) {
    String cache = System.getProperty("kluespark.cache", repoRoot().resolve("target/kluespark-cache").toString());
    return org.kluespark.synth.SyntheticBundles.ensure(preset, 42, List.of(repoRoot().resolve("datasets")),
        Paths.get(cache, "synth"));
  }

  /** {@code ../shared/klue} beside the repository; may not exist. */
  public static Path sharedKlue() {
    return repoRoot().resolve("../shared/klue").normalize();
  }
}
