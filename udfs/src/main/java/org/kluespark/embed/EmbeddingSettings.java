package org.kluespark.embed;

import java.io.Serializable;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.kluespark.inference.ExecutionTarget;
import org.kluespark.pooling.DenseLayer;
import org.kluespark.pooling.Pooling;

/**
 * What each row gets and how rows are grouped.
 *
 * @param maxSeqLength tokens per row at most, special tokens included
 * @param batchSize rows per ONNX Runtime call on the CPU at most ({@link BatchPlanner} cuts where lengths jump)
 * @param gpuBatchSize rows per call on a GPU, which wants larger batches to be busy
 * @param windowSize rows tokenized and sorted by length together before batches are cut; larger packs
 *     batches tighter (less padding) and holds more rows in memory
 * @param pooling the pooling, already resolved against the model (never {@code auto})
 * @param normalize whether pooled vectors are scaled to unit L2 norm
 * @param sequenceOutput whether per-token vectors are returned too
 * @param encoderLayers hidden states returned per row, as indices into {@code hidden_states.0} …
 *     {@code hidden_states.L} already resolved against the model (no negative indices), in the order given,
 *     duplicates kept; empty when the rows get none
 * @param reuseDuplicates whether rows of a window with the same input (text and pair text, or the same ids)
 *     are tokenized and run once, and the result copied to the others (bit-identical to running each)
 * @param dense the declared Dense layer applied to the pooled vector before normalization, or null. It ships with
 *     the settings in the task closure, which Spark broadcasts once per stage.
 */
public record EmbeddingSettings(int maxSeqLength, int batchSize, int gpuBatchSize, int windowSize,
    Pooling pooling, boolean normalize, boolean sequenceOutput, List<Integer> encoderLayers,
    boolean reuseDuplicates, DenseLayer dense) implements Serializable {

  /** The GPU batch when the user did not choose one: fills a T4/A10 with base-size models at 128 tokens. */
  public static final int DEFAULT_GPU_BATCH_SIZE = 128;

  public EmbeddingSettings {
    if (batchSize <= 0 || gpuBatchSize <= 0) {
      throw new IllegalArgumentException("Invalid batchSize (must be > 0): " + Math.min(batchSize, gpuBatchSize));
    }
    if (windowSize <= 0) {
      throw new IllegalArgumentException("Invalid windowSize (must be > 0): " + windowSize);
    }
    if (pooling == Pooling.AUTO) {
      throw new IllegalArgumentException("Resolve pooling 'auto' against the model before embedding");
    }
    encoderLayers = List.copyOf(encoderLayers);
    for (int layer : encoderLayers) {
      if (layer < 0) {
        throw new IllegalArgumentException("Resolve negative encoder layer " + layer + " against the model first");
      }
    }
  }

  /** Without a Dense layer. */
  public EmbeddingSettings(int maxSeqLength, int batchSize, int gpuBatchSize, int windowSize, Pooling pooling,
      boolean normalize, boolean sequenceOutput, List<Integer> encoderLayers, boolean reuseDuplicates) {
    this(maxSeqLength, batchSize, gpuBatchSize, windowSize, pooling, normalize, sequenceOutput, encoderLayers,
        reuseDuplicates, null);
  }

  /** Duplicates reused (the default). */
  public EmbeddingSettings(int maxSeqLength, int batchSize, int gpuBatchSize, int windowSize, Pooling pooling,
      boolean normalize, boolean sequenceOutput, List<Integer> encoderLayers) {
    this(maxSeqLength, batchSize, gpuBatchSize, windowSize, pooling, normalize, sequenceOutput, encoderLayers, true);
  }

  /** Without hidden states. */
  public EmbeddingSettings(int maxSeqLength, int batchSize, int gpuBatchSize, int windowSize, Pooling pooling,
      boolean normalize, boolean sequenceOutput) {
    this(maxSeqLength, batchSize, gpuBatchSize, windowSize, pooling, normalize, sequenceOutput, List.of());
  }

  /** Same batch size on every device. */
  public EmbeddingSettings(int maxSeqLength, int batchSize, int windowSize, Pooling pooling, boolean normalize,
      boolean sequenceOutput) {
    this(maxSeqLength, batchSize, batchSize, windowSize, pooling, normalize, sequenceOutput, List.of());
  }

  /** These settings with duplicate rows reused or not. */
  public EmbeddingSettings withReuseDuplicates(boolean value) {
    return new EmbeddingSettings(maxSeqLength, batchSize, gpuBatchSize, windowSize, pooling, normalize,
        sequenceOutput, encoderLayers, value, dense);
  }

  /** These settings with {@code layer} applied after pooling (null for none). */
  public EmbeddingSettings withDense(DenseLayer layer) {
    return new EmbeddingSettings(maxSeqLength, batchSize, gpuBatchSize, windowSize, pooling, normalize,
        sequenceOutput, encoderLayers, reuseDuplicates, layer);
  }

  /** Pooling, then the Dense layer if any, then L2 normalization if asked: one row's pooled vector. */
  public float[] poolRow(org.kluespark.inference.EncoderOutput output, int row, int length) {
    float[] pooled = pooling.pool(output, row, length);
    if (dense != null) {
      pooled = dense.apply(pooled);
    }
    return normalize ? Pooling.l2Normalize(pooled) : pooled;
  }

  /** Whether rows get hidden states ({@code encoderOutputsCol}). */
  public boolean encoderOutputs() {
    return !encoderLayers.isEmpty();
  }

  /** The distinct layers to fetch from the model. */
  public Set<Integer> layersToFetch() {
    return new TreeSet<>(encoderLayers);
  }

  /** Rows per ONNX Runtime call on {@code target}. */
  public int batchSizeOn(ExecutionTarget target) {
    return target.cuda() ? gpuBatchSize : batchSize;
  }
}
