package org.kluespark.synth;

import java.util.Objects;
import java.util.Set;

/**
 * How a published sentence-embedding model says its vectors are made (its sentence-transformers modules), as
 * data on a {@link ModelPreset}: the pooling mode of {@code 1_Pooling/config.json} and whether a
 * {@code Normalize} module follows. Synthetic checkpoints write it with {@link SentenceTransformersFiles}.
 *
 * @param pooling a sentence-transformers pooling mode: {@code cls}, {@code mean} or {@code max}
 */
public record SentenceEmbeddingDeclaration(String pooling, boolean normalize) {
  private static final Set<String> MODES = Set.of("cls", "mean", "max");

  public SentenceEmbeddingDeclaration {
    Objects.requireNonNull(pooling, "pooling");
    if (!MODES.contains(pooling)) {
      throw new IllegalArgumentException("Invalid pooling '" + pooling + "', expected one of " + MODES);
    }
  }

  /** multilingual-e5-*: mean pooling, then L2 normalization. */
  public static final SentenceEmbeddingDeclaration MEAN_NORMALIZED = new SentenceEmbeddingDeclaration("mean", true);
  /** bge-m3 (dense): the first token's vector, then L2 normalization. */
  public static final SentenceEmbeddingDeclaration CLS_NORMALIZED = new SentenceEmbeddingDeclaration("cls", true);
}
