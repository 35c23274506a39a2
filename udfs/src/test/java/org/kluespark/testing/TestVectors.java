package org.kluespark.testing;

/** Vector figures the precision and parity tests report. */
public final class TestVectors {
  private TestVectors() {}

  /** Cosine similarity of two float vectors, accumulated in double. */
  public static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
