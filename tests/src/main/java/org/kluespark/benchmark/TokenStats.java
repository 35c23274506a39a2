package org.kluespark.benchmark;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.kluespark.job.profile.TokenWork;

/**
 * The real tokens of a workload's rows as the model sees them (special tokens included, after truncation), as
 * the {@link TokenWork} that {@code kluespark profile} counts too: rows (repeats included), Σ length, Σ length².
 */
final class TokenStats {
  private TokenStats() {}

  /** Tokenizes {@code texts} with the bundle's tokenizer, configured as the stage and the raw loops do. */
  static TokenWork measure(Path bundleDir, int maxSeqLength, List<String> texts) {
    int[] lengths = new int[texts.size()];
    try (HuggingFaceTokenizer tokenizer = PlainModel.tokenizer(bundleDir, maxSeqLength)) {
      for (int i = 0; i < lengths.length; i++) {
        lengths[i] = tokenizer.encode(texts.get(i)).getIds().length;
      }
    }
    return TokenWork.of(lengths);
  }
}
