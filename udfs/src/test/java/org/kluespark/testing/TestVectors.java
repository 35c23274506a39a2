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

  /** Max-abs over real tokens (padding positions are not part of any output the stage returns). */
  public static double maxAbs(float[][][] actual, double[][][] expected, long[][] mask) {
    double max = 0;
    for (int r = 0; r < expected.length; r++) {
      for (int t = 0; t < expected[r].length; t++) {
        if (mask[r][t] == 0) {
          continue;
        }
        for (int h = 0; h < expected[r][t].length; h++) {
          max = Math.max(max, Math.abs(actual[r][t][h] - expected[r][t][h]));
        }
      }
    }
    return max;
  }

  public static double maxAbs(float[][] actual, double[][] expected) {
    double max = 0;
    for (int r = 0; r < expected.length; r++) {
      for (int h = 0; h < expected[r].length; h++) {
        max = Math.max(max, Math.abs(actual[r][h] - expected[r][h]));
      }
    }
    return max;
  }

  public static double maxAbs(double[][][] actual, double[][][] expected, long[][] mask) {
    double max = 0;
    for (int r = 0; r < expected.length; r++) {
      for (int t = 0; t < expected[r].length; t++) {
        if (mask[r][t] == 0) {
          continue;
        }
        for (int h = 0; h < expected[r][t].length; h++) {
          max = Math.max(max, Math.abs(actual[r][t][h] - expected[r][t][h]));
        }
      }
    }
    return max;
  }

  public static double maxAbs(double[][] actual, double[][] expected) {
    double max = 0;
    for (int r = 0; r < expected.length; r++) {
      for (int h = 0; h < expected[r].length; h++) {
        max = Math.max(max, Math.abs(actual[r][h] - expected[r][h]));
      }
    }
    return max;
  }

  /** Max-abs over every position, padding included. */
  public static double maxAbs(float[][][] a, float[][][] b) {
    double max = 0;
    for (int r = 0; r < a.length; r++) {
      for (int t = 0; t < a[r].length; t++) {
        for (int h = 0; h < a[r][t].length; h++) {
          max = Math.max(max, Math.abs(a[r][t][h] - b[r][t][h]));
        }
      }
    }
    return max;
  }
}
