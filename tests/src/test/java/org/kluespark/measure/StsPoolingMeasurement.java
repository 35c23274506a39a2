package org.kluespark.measure;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kluespark.examples.StsSimilarity;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;

/**
 * A measurement, not a test (the name keeps it out of the default run; run it with
 * {@code -Dtest=StsPoolingMeasurement}): KLUE STS dev Pearson (cosine vs real-label, 519 pairs) for the built-in
 * MiniLM with its pooler, [CLS], mean pooling, and {@code auto} (its declared mean + normalize), for the README.
 */
class StsPoolingMeasurement {
  @Test
  void minilmPearsonByPooling() {
    // From a worktree ../shared/klue is not beside the checkout: KLUESPARK_KLUE_DIR points at it instead.
    String klueDir = System.getenv("KLUESPARK_KLUE_DIR");
    Path dev = (klueDir != null ? Path.of(klueDir) : TestModels.sharedKlue()).resolve("klue-sts-v1.1_dev.json");
    assumeTrue(Files.isRegularFile(dev), "skipped: " + dev + " is absent");
    for (String pooling : List.of("pooler", "cls", "mean", "auto")) {
      long start = System.nanoTime();
      StsSimilarity.Result result = StsSimilarity.run(SparkTestSession.get(), "minilm", dev.toString(), 0, pooling);
      System.out.printf("KLUE STS dev (%d pairs), MiniLM, pooling=%s: Pearson %.4f (%.1f s)%n",
          result.cosine().length, pooling, result.pearson(), (System.nanoTime() - start) / 1e9);
    }
  }
}
