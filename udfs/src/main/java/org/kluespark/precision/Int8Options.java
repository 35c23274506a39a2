package org.kluespark.precision;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How {@link Int8Quantizer} quantizes.
 *
 * @param granularity weight scales per output channel (default) or per tensor
 * @param reduceRange 7-bit weights ([-64, 64]) instead of 8-bit ([-127, 127]); see {@link Int8Quantizer}
 * @param opForm the ONNX ops written for each quantized MatMul
 * @param keepFloat regular expressions; a MatMul/Gemm whose node name or weight name matches one (anywhere:
 *     {@link java.util.regex.Matcher#find}) stays float32
 * @param outlierRowRatio a MatMul/Gemm stays float32 when its weight's largest input-row norm is more than this
 *     many times the rms of its input-row norms (0 turns the rule off); see {@link #DEFAULT_OUTLIER_ROW_RATIO}
 * @param splitOutlierRows for such a MatMul, multiply only its outlier input rows ({@link #SPLIT_ROW_RATIO})
 *     in float32 and the rest in int8, instead of keeping the whole MatMul float32
 * @param activationOutlierRatio an input channel whose activation peaks above this many times the median
 *     channel's on a probe of random tokens is an outlier, handled as {@code scaleOutlierChannels} says (0 turns
 *     the probe off); see
 *     {@link #DEFAULT_ACTIVATION_OUTLIER_RATIO} and {@link ActivationOutlierProbe}
 * @param scaleOutlierChannels the probe's outlier channels are scaled down to the ratio's level before the
 *     quantization, their weight rows up by as much (default: as fast as without the probe), instead of being
 *     multiplied in float32 beside the int8 part (a little closer to float32, about 10% slower); see
 *     {@link Int8Quantizer}
 */
public record Int8Options(WeightGranularity granularity, boolean reduceRange, Int8OpForm opForm,
    List<Pattern> keepFloat, double outlierRowRatio, boolean splitOutlierRows, double activationOutlierRatio,
    boolean scaleOutlierChannels) {

  /**
   * In a MatMul flagged by {@link #outlierRowRatio}, the input rows above this ratio (max/rms row norm) are
   * multiplied in float32 and the rest in int8 (with {@link #splitOutlierRows}). MiniLM: 1, 3, 3 rows.
   */
  public static final double SPLIT_ROW_RATIO = 3.0;

  /**
   * Activations are quantized per tensor on every call, so each input channel gets about the same absolute
   * rounding error; a weight row (input channel) whose norm is far above the others amplifies that error in
   * every output. That is the data-free signature of the MatMuls that matter. all-MiniLM-L6-v2, 1,000 KLUE
   * sentences, mean / min cosine to float32 with all 36 MatMuls int8: 0.9858 / 0.9567; keeping one FFN output
   * dense (layer.N/output/dense, its input the GELU output) float32 at a time: layer 0 0.9900 / 0.9609, 1 0.9871
   * / 0.9640, 2 0.9871 / 0.9630, 3 0.9861 / 0.9602, 4 and 5 no change; every other group (Q/K/V, attention
   * output, FFN intermediate, all layers at once) at most +0.003 mean. Their max / rms input-row norm ratios:
   * 8.9, 4.8, 6.6, 4.2, 3.0, 2.4, every other MatMul at most 1.9. Keeping layers 0-2 gives 0.9930 / 0.9785,
   * 0-3 0.9932 / 0.9758: 4.5 keeps exactly the three that matter. Random-weight (synthetic) models have ratios
   * near 1.2 and keep nothing.
   */
  public static final double DEFAULT_OUTLIER_ROW_RATIO = 4.5;

  /** See {@link ActivationOutlierProbe}; the figures that chose it are in its comment. */
  public static final double DEFAULT_ACTIVATION_OUTLIER_RATIO = 4.0;

  public Int8Options {
    if (!(activationOutlierRatio >= 0)) {
      throw new IllegalArgumentException("Invalid activation outlier ratio (must be >= 0, 0 = off): "
          + activationOutlierRatio);
    }
    if (!(outlierRowRatio >= 0)) {
      throw new IllegalArgumentException("Invalid outlier row ratio (must be >= 0, 0 = off): " + outlierRowRatio);
    }
    Objects.requireNonNull(granularity, "granularity");
    Objects.requireNonNull(opForm, "opForm");
    keepFloat = List.copyOf(keepFloat);
  }

  /**
   * Per-channel 8-bit symmetric weights, {@link Int8OpForm#DYNAMIC_QUANTIZE_MATMUL}, outlier-row MatMuls kept
   * float32 ({@link #DEFAULT_OUTLIER_ROW_RATIO}), nothing excluded by name.
   */
  public static Int8Options defaults() {
    return new Int8Options(WeightGranularity.PER_CHANNEL, false, Int8OpForm.DYNAMIC_QUANTIZE_MATMUL, List.of(),
        DEFAULT_OUTLIER_ROW_RATIO, true,
        DEFAULT_ACTIVATION_OUTLIER_RATIO, true);
  }

  public Int8Options withGranularity(WeightGranularity value) {
    return new Int8Options(value, reduceRange, opForm, keepFloat, outlierRowRatio, splitOutlierRows,
        activationOutlierRatio, scaleOutlierChannels);
  }

  public Int8Options withReduceRange(boolean value) {
    return new Int8Options(granularity, value, opForm, keepFloat, outlierRowRatio, splitOutlierRows,
        activationOutlierRatio, scaleOutlierChannels);
  }

  public Int8Options withOpForm(Int8OpForm value) {
    return new Int8Options(granularity, reduceRange, value, keepFloat, outlierRowRatio, splitOutlierRows,
        activationOutlierRatio, scaleOutlierChannels);
  }

  /** Adds node/weight-name patterns to keep in float32, e.g. {@code "layer\\.[0-9]+/output/dense"}. */
  public Int8Options withKeepFloat(List<String> patterns) {
    List<Pattern> all = new java.util.ArrayList<>(keepFloat);
    for (String pattern : patterns) {
      try {
        all.add(Pattern.compile(pattern));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("Invalid keep-float32 pattern '" + pattern + "': " + e.getDescription(), e);
      }
    }
    return new Int8Options(granularity, reduceRange, opForm, all, outlierRowRatio, splitOutlierRows,
        activationOutlierRatio, scaleOutlierChannels);
  }

  /** Sets the outlier-row rule's ratio; 0 quantizes every MatMul not matched by a name pattern. */
  public Int8Options withOutlierRowRatio(double value) {
    return new Int8Options(granularity, reduceRange, opForm, keepFloat, value, splitOutlierRows,
        activationOutlierRatio, scaleOutlierChannels);
  }

  /** Whether outlier-row MatMuls are split (default) or kept whole in float32. */
  public Int8Options withSplitOutlierRows(boolean value) {
    return new Int8Options(granularity, reduceRange, opForm, keepFloat, outlierRowRatio, value,
        activationOutlierRatio, scaleOutlierChannels);
  }

  /** Sets the activation probe's ratio; 0 turns the probe off. */
  public Int8Options withActivationOutlierRatio(double value) {
    return new Int8Options(granularity, reduceRange, opForm, keepFloat, outlierRowRatio, splitOutlierRows, value,
        scaleOutlierChannels);
  }

  /** Whether the probe's outlier channels are scaled (default) or multiplied in float32. */
  public Int8Options withScaleOutlierChannels(boolean value) {
    return new Int8Options(granularity, reduceRange, opForm, keepFloat, outlierRowRatio, splitOutlierRows,
        activationOutlierRatio, value);
  }

  /** The largest int8 weight magnitude. */
  int weightMax() {
    return reduceRange ? 64 : 127;
  }
}
