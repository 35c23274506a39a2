package org.kluespark.testing.reference;

import org.kluespark.pooling.DenseLayer;
import org.kluespark.pooling.Pooling;

/**
 * sentence-transformers' Pooling, Dense and Normalize modules in float64, written from their PyTorch code (not
 * from {@link Pooling}): the mask zeroes padding, {@code weightedmean} weighs position {@code t} (from 0) by
 * {@code t + 1}, divisors are clamped at 1e-9, {@code max} sets padding to -1e9 first, {@code lasttoken} takes
 * the last position whose mask is 1, and Normalize divides by {@code max(‖x‖, 1e-12)} as F.normalize does.
 */
public final class ReferencePooling {
  private ReferencePooling() {}

  /** One row: {@code hidden[seq][dim]} with {@code mask[seq]} (1 real, 0 padding). */
  public static double[] pool(Pooling mode, double[][] hidden, long[] mask) {
    int dim = hidden[0].length;
    double[] out = new double[dim];
    switch (mode) {
      case CLS -> System.arraycopy(hidden[0], 0, out, 0, dim);
      case LASTTOKEN -> {
        int last = 0;
        for (int t = 0; t < mask.length; t++) {
          if (mask[t] == 1) {
            last = t;
          }
        }
        System.arraycopy(hidden[last], 0, out, 0, dim);
      }
      case MAX -> {
        java.util.Arrays.fill(out, Double.NEGATIVE_INFINITY);
        for (int t = 0; t < hidden.length; t++) {
          for (int d = 0; d < dim; d++) {
            out[d] = Math.max(out[d], mask[t] == 1 ? hidden[t][d] : -1e9);
          }
        }
      }
      case MEAN, MEAN_SQRT_LEN_TOKENS, WEIGHTEDMEAN -> {
        double weights = 0;
        for (int t = 0; t < hidden.length; t++) {
          double w = mask[t] * (mode == Pooling.WEIGHTEDMEAN ? t + 1.0 : 1.0);
          weights += w;
          for (int d = 0; d < dim; d++) {
            out[d] += w * hidden[t][d];
          }
        }
        double divisor = mode == Pooling.MEAN_SQRT_LEN_TOKENS ? Math.sqrt(Math.max(weights, 1e-9))
            : Math.max(weights, 1e-9);
        for (int d = 0; d < dim; d++) {
          out[d] /= divisor;
        }
      }
      default -> throw new IllegalArgumentException("Not a sentence-transformers pooling mode: " + mode);
    }
    return out;
  }

  /** {@code activation(x · Wᵀ + b)} with {@code weight[out][in]} as nn.Linear stores it. */
  public static double[] dense(double[] x, float[][] weight, float[] bias, DenseLayer.Activation activation) {
    double[] out = new double[weight.length];
    for (int o = 0; o < out.length; o++) {
      double sum = bias == null ? 0 : bias[o];
      for (int i = 0; i < x.length; i++) {
        sum += weight[o][i] * x[i];
      }
      out[o] = switch (activation) {
        case IDENTITY -> sum;
        case TANH -> Math.tanh(sum);
        case RELU -> Math.max(0, sum);
        case SIGMOID -> 1 / (1 + Math.exp(-sum));
      };
    }
    return out;
  }

  /** F.normalize(x, p=2, dim=-1): {@code x / max(‖x‖₂, 1e-12)}. */
  public static double[] normalize(double[] x) {
    double sum = 0;
    for (double v : x) {
      sum += v * v;
    }
    double norm = Math.max(Math.sqrt(sum), 1e-12);
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] / norm;
    }
    return out;
  }
}
