package org.kluespark.benchmark;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.onnxruntime.OrtException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.api.java.UDF1;

/**
 * What users write first: a Spark SQL UDF that embeds one row per call, with the tokenizer and ONNX Runtime
 * session cached in a static field so each JVM loads the model once. No batching, so no padding; every call
 * is one {@code session.run} of shape [1, tokens].
 */
final class NaiveEmbedUdf implements UDF1<String, float[]> {
  private static final long serialVersionUID = 1L;

  private static final Object LOCK = new Object();
  private static volatile PlainModel model;
  /** Models loaded in this JVM (1 when the static cache works). */
  static final AtomicInteger LOADS = new AtomicInteger();
  static final AtomicLong ROWS = new AtomicLong();
  static final AtomicLong TOKENS = new AtomicLong();
  static final AtomicLong INFERENCE_NANOS = new AtomicLong();

  private final String bundleDir;
  private final int maxSeqLength;
  private final int intraOpThreads;

  NaiveEmbedUdf(Path bundleDir, int maxSeqLength, int intraOpThreads) {
    this.bundleDir = bundleDir.toString();
    this.maxSeqLength = maxSeqLength;
    this.intraOpThreads = intraOpThreads;
  }

  @Override
  public float[] call(String text) throws OrtException {
    if (text == null) {
      return null;
    }
    PlainModel loaded = model();
    Encoding encoding = loaded.encode(text);
    float[][] out = new float[1][];
    long start = System.nanoTime();
    loaded.runMeanPooled(new Encoding[] {encoding}, new int[] {0}, out);
    INFERENCE_NANOS.addAndGet(System.nanoTime() - start);
    ROWS.incrementAndGet();
    TOKENS.addAndGet(encoding.getIds().length);
    return out[0];
  }

  private PlainModel model() {
    PlainModel loaded = model;
    if (loaded == null) {
      synchronized (LOCK) {
        loaded = model;
        if (loaded == null) {
          loaded = new PlainModel(Path.of(bundleDir), maxSeqLength, intraOpThreads);
          LOADS.incrementAndGet();
          model = loaded;
        }
      }
    }
    return loaded;
  }

  /** Zeroes the row, token and time counters (not {@link #LOADS}), after the warm-up pass. */
  static void resetCounters() {
    ROWS.set(0);
    TOKENS.set(0);
    INFERENCE_NANOS.set(0);
  }
}
