package org.kluespark.testing;

import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.hadoop.conf.Configuration;
import org.kluespark.model.BuiltinModels;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelBundleLoader;

/** Shared test fixtures: the built-in MiniLM bundle and the repository's paths. */
public final class TestModels {
  private static ModelBundle minilm;

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

  /** The repository root (set by surefire), for datasets/ and ../shared. */
  public static Path repoRoot() {
    String root = System.getProperty("kluespark.repo.root");
    return root != null ? Paths.get(root) : Paths.get("").toAbsolutePath().getParent();
  }

  /** {@code ../shared/klue} beside the repository; may not exist. */
  public static Path sharedKlue() {
    return repoRoot().resolve("../shared/klue").normalize();
  }
}
