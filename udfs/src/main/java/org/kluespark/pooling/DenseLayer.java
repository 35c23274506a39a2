package org.kluespark.pooling;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * sentence-transformers' {@code models.Dense}: {@code activation(W·x + b)} on the pooled vector, with
 * {@code W} of shape {@code [outFeatures, inFeatures]} as torch's {@code nn.Linear} stores it.
 */
public final class DenseLayer implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The activations sentence-transformers checkpoints use, by their torch class name. */
  public enum Activation {
    IDENTITY("torch.nn.modules.linear.Identity"),
    TANH("torch.nn.modules.activation.Tanh"),
    RELU("torch.nn.modules.activation.ReLU"),
    SIGMOID("torch.nn.modules.activation.Sigmoid");

    private final String torchClass;

    Activation(String torchClass) {
      this.torchClass = torchClass;
    }

    public String torchClass() {
      return torchClass;
    }

    /** {@code torch.nn.modules.activation.Tanh}, {@code Tanh} or {@code tanh}; anything else is refused. */
    public static Activation parse(String name, String where) {
      String simple = name == null ? "" : name.substring(name.lastIndexOf('.') + 1);
      for (Activation a : values()) {
        if (a.name().equalsIgnoreCase(simple)) {
          return a;
        }
      }
      throw new IllegalArgumentException(where + ": activation_function '" + name + "' is not supported; "
          + "supported: " + Arrays.stream(values()).map(Activation::torchClass).toList() + ".");
    }

    double apply(double x) {
      return switch (this) {
        case IDENTITY -> x;
        case TANH -> Math.tanh(x);
        case RELU -> Math.max(0, x);
        case SIGMOID -> 1 / (1 + Math.exp(-x));
      };
    }

    public String paramValue() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The declared shape and activation, as {@code 2_Dense/config.json} gives them. */
  public record Config(int inFeatures, int outFeatures, boolean bias, Activation activation)
      implements Serializable {
    public Config {
      if (inFeatures <= 0 || outFeatures <= 0) {
        throw new IllegalArgumentException("Invalid Dense features (must be > 0): in " + inFeatures + ", out "
            + outFeatures);
      }
    }

    /** "768 → 512, tanh, bias". */
    public String summary() {
      return inFeatures + " -> " + outFeatures + ", " + activation.paramValue() + (bias ? ", bias" : ", no bias");
    }
  }

  private final Config config;
  private final float[] weight; // [out * in], row-major
  private final float[] bias; // [out], null without bias

  public DenseLayer(Config config, float[] weight, float[] bias) {
    this.config = config;
    if (weight.length != (long) config.outFeatures() * config.inFeatures()) {
      throw new IllegalArgumentException("Dense weight has " + weight.length + " values, expected "
          + config.outFeatures() + " x " + config.inFeatures());
    }
    if (config.bias() != (bias != null) || (bias != null && bias.length != config.outFeatures())) {
      throw new IllegalArgumentException("Dense bias " + (bias == null ? "missing" : "has " + bias.length
          + " values") + ", expected " + (config.bias() ? config.outFeatures() + " values" : "none"));
    }
    this.weight = weight.clone();
    this.bias = bias == null ? null : bias.clone();
  }

  public Config config() {
    return config;
  }

  /** {@code activation(W·x + b)}, accumulated in double. */
  public float[] apply(float[] x) {
    if (x.length != config.inFeatures()) {
      throw new IllegalArgumentException("The Dense layer takes " + config.inFeatures() + " features but the "
          + "pooled vector has " + x.length + "; the declaration does not fit this model.");
    }
    float[] out = new float[config.outFeatures()];
    int in = config.inFeatures();
    for (int o = 0; o < out.length; o++) {
      double sum = bias == null ? 0 : bias[o];
      int row = o * in;
      for (int i = 0; i < in; i++) {
        sum += (double) weight[row + i] * x[i];
      }
      out[o] = (float) config.activation().apply(sum);
    }
    return out;
  }

  /** The weights as {@code linear.weight} / {@code linear.bias}, the names sentence-transformers saves. */
  public List<float[]> tensors() {
    return bias == null ? List.of(weight.clone()) : List.of(weight.clone(), bias.clone());
  }
}
