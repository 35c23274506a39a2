package org.kluespark.embed;

import java.io.Serializable;
import org.kluespark.pooling.Pooling;

/**
 * What each row gets and how rows are grouped.
 *
 * @param maxSeqLength tokens per row at most, special tokens included
 * @param batchSize rows per ONNX Runtime call
 * @param windowSize rows tokenized and sorted by length together before batches are cut; larger packs
 *     batches tighter (less padding) and holds more rows in memory
 * @param pooling the pooling, already resolved against the model (never {@code auto})
 * @param normalize whether pooled vectors are scaled to unit L2 norm
 * @param sequenceOutput whether per-token vectors are returned too
 */
public record EmbeddingSettings(int maxSeqLength, int batchSize, int windowSize, Pooling pooling,
    boolean normalize, boolean sequenceOutput) implements Serializable {

  public EmbeddingSettings {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("Invalid batchSize (must be > 0): " + batchSize);
    }
    if (windowSize <= 0) {
      throw new IllegalArgumentException("Invalid windowSize (must be > 0): " + windowSize);
    }
    if (pooling == Pooling.AUTO) {
      throw new IllegalArgumentException("Resolve pooling 'auto' against the model before embedding");
    }
  }
}
