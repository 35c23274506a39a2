package org.kluespark.benchmark;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Path;
import java.util.List;

/**
 * The real tokens of a workload's rows as the model sees them (special tokens included, after truncation):
 * their sum and the sum of their squares, which attention's cost grows with.
 *
 * @param rows rows counted (all of them: repeats included)
 * @param tokens Σ real length
 * @param squaredTokens Σ real length²
 */
record TokenStats(long rows, long tokens, long squaredTokens) {

  static TokenStats of(int[] lengths) {
    long tokens = 0;
    long squared = 0;
    for (int length : lengths) {
      tokens += length;
      squared += (long) length * length;
    }
    return new TokenStats(lengths.length, tokens, squared);
  }

  /** Tokenizes {@code texts} with the bundle's tokenizer, configured as the stage and the raw loops do. */
  static TokenStats measure(Path bundleDir, int maxSeqLength, List<String> texts) {
    int[] lengths = new int[texts.size()];
    try (HuggingFaceTokenizer tokenizer = PlainModel.tokenizer(bundleDir, maxSeqLength)) {
      for (int i = 0; i < lengths.length; i++) {
        lengths[i] = tokenizer.encode(texts.get(i)).getIds().length;
      }
    }
    return of(lengths);
  }

  double meanTokens() {
    return rows == 0 ? 0 : (double) tokens / rows;
  }
}
