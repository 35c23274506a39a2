package org.kluespark.precision;

/**
 * Symmetric int8 quantization of a {@code [K, N]} row-major weight matrix (N output channels):
 * {@code scale = max|w| / qmax} per column (or over the whole matrix), {@code q = round(w / scale)} clamped to
 * {@code [-qmax, qmax]}, zero point 0. Rounds half to even, as numpy does in ONNX Runtime's quantizer.
 */
final class WeightQuantizer {
  private WeightQuantizer() {}

  /** Quantized weights and their scales (N scales per channel, or 1). */
  record Int8Weights(byte[] values, float[] scales) {}

  static Int8Weights quantize(float[] weights, int rows, int cols, WeightGranularity granularity, int qmax) {
    if ((long) rows * cols != weights.length) {
      throw new IllegalArgumentException("weights have " + weights.length + " values, expected " + rows + "x" + cols);
    }
    float[] maxAbs = new float[granularity == WeightGranularity.PER_CHANNEL ? cols : 1];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int s = maxAbs.length == 1 ? 0 : c;
        maxAbs[s] = Math.max(maxAbs[s], Math.abs(weights[r * cols + c]));
      }
    }
    float[] scales = new float[maxAbs.length];
    for (int s = 0; s < scales.length; s++) {
      // An all-zero channel quantizes to zeros with any scale; 1 keeps the division defined.
      scales[s] = maxAbs[s] == 0f ? 1f : maxAbs[s] / qmax;
    }
    byte[] values = new byte[weights.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        float scale = scales[scales.length == 1 ? 0 : c];
        double q = Math.rint(weights[r * cols + c] / scale);
        values[r * cols + c] = (byte) Math.max(-qmax, Math.min(qmax, q));
      }
    }
    return new Int8Weights(values, scales);
  }

  /** The largest input-row (K) norm of a {@code [K, N]} matrix over the rms of all its row norms. */
  static double outlierRowRatio(float[] weights, int rows, int cols) {
    double max = 0;
    double sumSquares = 0;
    for (int r = 0; r < rows; r++) {
      double norm = 0;
      for (int c = 0; c < cols; c++) {
        double w = weights[r * cols + c];
        norm += w * w;
      }
      sumSquares += norm;
      max = Math.max(max, Math.sqrt(norm));
    }
    double rms = Math.sqrt(sumSquares / rows);
    return rms == 0 ? 0 : max / rms;
  }

  /** The input rows whose norm exceeds {@code ratio} times the rms row norm, ascending. */
  static int[] outlierRows(float[] weights, int rows, int cols, double ratio) {
    double[] norms = new double[rows];
    double sumSquares = 0;
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        double w = weights[r * cols + c];
        norms[r] += w * w;
      }
      sumSquares += norms[r];
    }
    double limit = ratio * ratio * sumSquares / rows;
    return java.util.stream.IntStream.range(0, rows).filter(r -> norms[r] > limit).toArray();
  }
}
