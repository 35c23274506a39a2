package org.kluespark.testing.reference;

import java.util.Map;
import org.kluespark.checkpoint.WeightTensor;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderWeights;
import org.kluespark.synth.SyntheticWeights;

/** Seeded random encoder weights under canonical HF names, for tests of the reference and the converter. */
public final class RandomEncoderWeights {
  private RandomEncoderWeights() {}

  /**
   * Every weight {@link EncoderWeights#expectedShapes} lists: LayerNorm weights {@code 1 + N(0, stddev)},
   * everything else (embeddings, Linear weights, all biases) {@code N(0, stddev)}. The same seed gives
   * the same map; the generator is {@link SyntheticWeights}, the one synthetic checkpoints use.
   */
  public static Map<String, WeightTensor> create(EncoderConfig config, long seed, boolean withPooler,
      double stddev) {
    return SyntheticWeights.generate(config, seed, withPooler, stddev);
  }

  /** {@link #create} wrapped in checked {@link EncoderWeights}. */
  public static EncoderWeights encoderWeights(EncoderConfig config, long seed, boolean withPooler, double stddev) {
    return EncoderWeights.of(config, create(config, seed, withPooler, stddev),
        "random weights (seed " + seed + ")");
  }
}
