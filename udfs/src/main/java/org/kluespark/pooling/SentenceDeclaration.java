package org.kluespark.pooling;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a model's authors say a sentence vector is made, as sentence-transformers' {@code modules.json} lists it:
 * a pooling mode, an optional Dense layer, then optional L2 normalization. Recorded in the bundle's
 * {@code kluespark.json} under the {@code declared.*} parameters; {@code pooling=auto} uses it
 * ({@link PoolingRule}).
 *
 * @param pooling never {@code auto} or {@code pooler}
 * @param dense the Dense layer's shape and activation, or null when the model has none; its weights are in the
 *     bundle's {@link #DENSE_FILE}
 * @param normalize whether the model ends with {@code Normalize}
 * @param source where the declaration came from, for {@code info} ({@code modules.json}, built-in ...)
 */
public record SentenceDeclaration(Pooling pooling, DenseLayer.Config dense, boolean normalize, String source)
    implements Serializable {
  /** The bundle file holding the Dense weights ({@code linear.weight}, {@code linear.bias}, float32). */
  public static final String DENSE_FILE = "dense.safetensors";

  static final String POOLING = "declared.pooling";
  static final String NORMALIZE = "declared.normalize";
  static final String SOURCE = "declared.source";
  static final String DENSE_IN = "declared.dense.in_features";
  static final String DENSE_OUT = "declared.dense.out_features";
  static final String DENSE_BIAS = "declared.dense.bias";
  static final String DENSE_ACTIVATION = "declared.dense.activation";
  /** SHA-256 of {@link #DENSE_FILE}, checked when the bundle loads, as model.onnx's is. */
  public static final String DENSE_SHA256 = "declared.dense.sha256";

  public SentenceDeclaration {
    Objects.requireNonNull(pooling, "pooling");
    if (pooling == Pooling.AUTO || pooling == Pooling.POOLER) {
      throw new IllegalArgumentException("A declared pooling is a sentence-transformers mode, not " + pooling);
    }
  }

  /** "mean, then Dense 768 -> 512, tanh, bias, then L2 normalize". */
  public String summary() {
    return pooling.paramValue() + (dense == null ? "" : ", then Dense " + dense.summary())
        + (normalize ? ", then L2 normalize" : "");
  }

  /**
   * The manifest parameters that record this declaration; {@code denseSha256} is the SHA-256 of the written
   * {@link #DENSE_FILE} (null without a Dense layer).
   */
  public Map<String, String> toParameters(String denseSha256) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put(POOLING, pooling.paramValue());
    out.put(NORMALIZE, Boolean.toString(normalize));
    out.put(SOURCE, source);
    if (dense != null) {
      out.put(DENSE_IN, Integer.toString(dense.inFeatures()));
      out.put(DENSE_OUT, Integer.toString(dense.outFeatures()));
      out.put(DENSE_BIAS, Boolean.toString(dense.bias()));
      out.put(DENSE_ACTIVATION, dense.activation().torchClass());
      out.put(DENSE_SHA256, Objects.requireNonNull(denseSha256, "denseSha256"));
    }
    return out;
  }

  /** Whether {@code key} is one of the parameters a declaration writes. */
  public static boolean isDeclarationKey(String key) {
    return key.startsWith("declared.");
  }

  /** The declaration in {@code parameters}, or null when they hold none; errors name {@code file}. */
  public static SentenceDeclaration fromParameters(Map<String, String> parameters, String file) {
    String pooling = parameters.get(POOLING);
    if (pooling == null) {
      return null;
    }
    try {
      DenseLayer.Config dense = null;
      if (parameters.containsKey(DENSE_OUT)) {
        dense = new DenseLayer.Config(Integer.parseInt(parameters.get(DENSE_IN)),
            Integer.parseInt(parameters.get(DENSE_OUT)), Boolean.parseBoolean(parameters.get(DENSE_BIAS)),
            DenseLayer.Activation.parse(parameters.get(DENSE_ACTIVATION), file));
        if (parameters.get(DENSE_SHA256) == null) {
          throw new IllegalArgumentException("no " + DENSE_SHA256);
        }
      }
      return new SentenceDeclaration(Pooling.fromParam(pooling), dense,
          Boolean.parseBoolean(parameters.get(NORMALIZE)), parameters.getOrDefault(SOURCE, "kluespark.json"));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(file + " has an unreadable pooling declaration (declared.*): "
          + e.getMessage() + ". Re-create the bundle with kluespark convert.", e);
    }
  }
}
