package org.kluespark.testing.reference;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.kluespark.checkpoint.WeightTensor;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderWeights;

/** Seeded random encoder weights under canonical HF names, for tests of the reference and the converter. */
public final class RandomEncoderWeights {
  private RandomEncoderWeights() {}

  /**
   * Every weight {@link EncoderWeights#expectedShapes} lists: LayerNorm weights {@code 1 + N(0, stddev)},
   * everything else (embeddings, Linear weights, all biases) {@code N(0, stddev)}. The same seed gives
   * the same map.
   */
  public static Map<String, WeightTensor> create(EncoderConfig config, long seed, boolean withPooler,
      double stddev) {
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, WeightTensor> weights = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> entry : EncoderWeights.expectedShapes(config, withPooler).entrySet()) {
      String name = entry.getKey();
      float[] values = new float[Math.toIntExact(WeightTensor.elementCount(entry.getValue()))];
      double center = name.endsWith("LayerNorm.weight") ? 1.0 : 0.0;
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) (center + stddev * random.nextGaussian());
      }
      weights.put(name, new WeightTensor(name, entry.getValue(), values));
    }
    return weights;
  }

  /** {@link #create} wrapped in checked {@link EncoderWeights}. */
  public static EncoderWeights encoderWeights(EncoderConfig config, long seed, boolean withPooler, double stddev) {
    return EncoderWeights.of(config, create(config, seed, withPooler, stddev),
        "random weights (seed " + seed + ")");
  }
}
