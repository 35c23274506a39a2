package org.kluespark.benchmark;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.onnxruntime.OrtException;
import java.util.List;

/**
 * The raw systems: one thread tokenizes every text, cuts batches (sorted by token count, or in file order),
 * pads each batch to its own longest row, runs it and mean-pools. No Spark, no kluespark code.
 */
final class RawLoop {
  /** Embeddings in input order, and what the model computed. */
  record Output(float[][] embeddings, long realTokens, long paddedTokens, int batches, long inferenceNanos) {}

  private RawLoop() {}

  static Output embed(PlainModel model, List<String> texts, int batchSize, boolean sortByLength)
      throws OrtException {
    Encoding[] encodings = new Encoding[texts.size()];
    int[] tokenCounts = new int[texts.size()];
    for (int i = 0; i < encodings.length; i++) {
      encodings[i] = model.encode(texts.get(i));
      tokenCounts[i] = encodings[i].getIds().length;
    }
    List<int[]> batches = Batching.batches(tokenCounts, batchSize, sortByLength);
    float[][] out = new float[texts.size()][];
    long inferenceNanos = 0;
    for (int[] batch : batches) {
      long start = System.nanoTime();
      model.runMeanPooled(encodings, batch, out);
      inferenceNanos += System.nanoTime() - start;
    }
    long[] totals = Batching.tokenTotals(tokenCounts, batches);
    return new Output(out, totals[0], totals[1], batches.size(), inferenceNanos);
  }
}
