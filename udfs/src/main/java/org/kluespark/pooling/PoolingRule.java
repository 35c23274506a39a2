package org.kluespark.pooling;

import java.io.Serializable;

/**
 * The one rule for what {@code pooling=auto} means, used by the stages, the SQL functions, {@code convert},
 * {@code info} and incremental tables alike:
 *
 * <ol>
 *   <li>the pooling the bundle declares ({@link SentenceDeclaration}: mode, optional Dense layer, optional L2
 *       normalization), when it declares one;
 *   <li>else {@code pooler} when the graph has a {@code pooler_output};
 *   <li>else {@code cls}.
 * </ol>
 *
 * <p>Explicit Params win: an explicit pooling replaces the whole declared pipeline (its Dense layer and
 * normalization belong to the declared pooling and apply only with {@code auto}); an explicitly set
 * {@code normalize} wins over the declared one.
 */
public final class PoolingRule {
  private PoolingRule() {}

  /**
   * What a row's pooled vector goes through.
   *
   * @param pooling never {@code auto}
   * @param dense the declared Dense layer, or null
   * @param normalize whether the result is scaled to unit L2 norm
   * @param declared whether this is the bundle's declared pipeline
   */
  public record Resolved(Pooling pooling, DenseLayer dense, boolean normalize, boolean declared)
      implements Serializable {
    /** The width of the pooled vector for a model of {@code hiddenSize}. */
    public int width(int hiddenSize) {
      return dense == null ? hiddenSize : dense.config().outFeatures();
    }

    /** "mean, then Dense 384 -> 128, tanh, bias" (normalization is shown apart, as the normalize Param). */
    public String poolingSummary() {
      return pooling.paramValue() + (dense == null ? "" : ", then Dense " + dense.config().summary());
    }
  }

  /** What {@code auto} means for a bundle, for messages: "mean, then L2 normalize (declared)", "pooler", "cls". */
  public static String autoSummary(SentenceDeclaration declaration, boolean hasPooler) {
    if (declaration != null) {
      return declaration.summary() + " (declared by " + declaration.source() + ")";
    }
    return hasPooler ? "pooler (the graph has a pooler_output; no pooling declared)"
        : "cls (no pooler_output and no pooling declared)";
  }

  /**
   * @param poolingParam the pooling Param's value
   * @param normalizeParam the normalize Param's value if it was set explicitly, else null
   * @param declaration the bundle's declaration, or null
   * @param dense the declared Dense layer with its weights (null when the declaration has none)
   * @param hasPooler whether the graph has a pooler output
   * @param modelPath for messages
   */
  public static Resolved resolve(String poolingParam, Boolean normalizeParam, SentenceDeclaration declaration,
      DenseLayer dense, boolean hasPooler, String modelPath) {
    Pooling requested = Pooling.fromParam(poolingParam);
    if (requested == Pooling.POOLER && !hasPooler) {
      throw new IllegalArgumentException("pooling=pooler, but the model at " + modelPath + " has no pooler_output; "
          + "use pooling=auto (" + autoSummary(declaration, false) + "), cls, mean or max.");
    }
    if (requested == Pooling.AUTO && declaration != null) {
      boolean normalize = normalizeParam != null ? normalizeParam : declaration.normalize();
      return new Resolved(declaration.pooling(), declaration.dense() == null ? null : dense, normalize, true);
    }
    boolean normalize = normalizeParam != null && normalizeParam;
    return new Resolved(requested.resolve(hasPooler), null, normalize, false);
  }
}
