package org.kluespark.synth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.kluespark.checkpoint.WeightTensor;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderWeights;

/**
 * Seeded random encoder weights under canonical HF names, initialised as BERT is (normal with the
 * config's {@code initializer_range}, LayerNorm weight 1 and bias 0, plus a little noise so tests see
 * every LayerNorm parameter at work). Same seed, same weights, on every machine.
 */
public final class SyntheticWeights {
  public static final double INITIALIZER_RANGE = 0.02;

  private SyntheticWeights() {}

  public static Map<String, WeightTensor> generate(EncoderConfig config, long seed, boolean withPooler) {
    return generate(config, seed, withPooler, INITIALIZER_RANGE);
  }

  public static Map<String, WeightTensor> generate(EncoderConfig config, long seed, boolean withPooler, double stddev) {
    Map<String, WeightTensor> tensors = new LinkedHashMap<>();
    SplittableRandom root = new SplittableRandom(seed);
    EncoderWeights.expectedShapes(config, withPooler).forEach((name, shape) -> {
      SplittableRandom random = root.split(); // one stream per tensor, in a fixed order
      long count = WeightTensor.elementCount(shape);
      if (count > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(name + " would have " + count + " values; a single tensor is limited to 2^31.");
      }
      float[] values = new float[(int) count];
      double center = name.endsWith("LayerNorm.weight") ? 1.0 : 0.0;
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) (center + gaussian(random) * stddev);
      }
      tensors.put(name, new WeightTensor(name, shape, values));
    });
    return tensors;
  }

  /** Box-Muller on SplittableRandom: deterministic and far faster than {@code Random.nextGaussian}. */
  private static double gaussian(SplittableRandom random) {
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
  }
}
