package org.kluespark.testing.reference;

import org.kluespark.checkpoint.WeightTensor;

/** The building blocks of the reference encoder, in double precision and plain loops. */
public final class ReferenceMath {
  private ReferenceMath() {}

  /** {@code x · Wᵀ + b} for a PyTorch Linear whose weight is {@code [out, in]} row-major. */
  public static double[] linear(double[] x, WeightTensor weight, WeightTensor bias) {
    int out = (int) weight.dim(0);
    int in = (int) weight.dim(1);
    if (x.length != in) {
      throw new IllegalArgumentException(weight.name() + " takes " + in + " inputs, got " + x.length);
    }
    float[] w = weight.values();
    float[] b = bias.values();
    double[] y = new double[out];
    for (int o = 0; o < out; o++) {
      double sum = b[o];
      int row = o * in;
      for (int i = 0; i < in; i++) {
        sum += w[row + i] * x[i];
      }
      y[o] = sum;
    }
    return y;
  }

  /** PyTorch LayerNorm: {@code (x - mean) / sqrt(var + eps) * gamma + beta}, biased variance. */
  public static double[] layerNorm(double[] x, double[] gamma, double[] beta, double eps) {
    int n = x.length;
    double mean = 0;
    for (double v : x) {
      mean += v;
    }
    mean /= n;
    double variance = 0;
    for (double v : x) {
      variance += (v - mean) * (v - mean);
    }
    variance /= n;
    double scale = 1.0 / Math.sqrt(variance + eps);
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = (x[i] - mean) * scale * gamma[i] + beta[i];
    }
    return y;
  }

  public static double[] layerNorm(double[] x, WeightTensor gamma, WeightTensor beta, double eps) {
    return layerNorm(x, widen(gamma.values()), widen(beta.values()), eps);
  }

  /** Softmax with the maximum subtracted first, so -3.4e38 scores give exactly 0 weight. */
  public static double[] softmax(double[] scores) {
    double max = Double.NEGATIVE_INFINITY;
    for (double s : scores) {
      max = Math.max(max, s);
    }
    double[] p = new double[scores.length];
    double sum = 0;
    for (int i = 0; i < scores.length; i++) {
      p[i] = Math.exp(scores[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    return p;
  }

  /** Exact GELU, HF's "gelu": {@code x · 0.5 · (1 + erf(x / √2))}. */
  public static double gelu(double x) {
    return x * 0.5 * (1.0 + Erf.erf(x / Math.sqrt(2.0)));
  }

  public static double[] add(double[] a, double[] b) {
    double[] sum = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      sum[i] = a[i] + b[i];
    }
    return sum;
  }

  public static double[] widen(float[] values) {
    double[] wide = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      wide[i] = values[i];
    }
    return wide;
  }
}
