package org.kluespark.job.profile;

/**
 * The full job's work and embedding time, scaled from a sample and a calibration run: the calibration's rate
 * (GFLOP/s when the model's shape is known, else real tokens/s) applied to the whole input's work, of which only
 * the share the model runs counts (repeats reuse an earlier row's vectors).
 *
 * @param work the whole input's work, repeats included (as the benchmark counts it)
 * @param gflop its GFLOP, or NaN without the model's shape
 * @param rate the calibration's GFLOP/s, or tokens/s without the shape; NaN without a calibration
 * @param seconds the estimated embedding time (NaN without a calibration): model inference and tokenization on this session's executors,
 *     without Spark start-up, model loading, reading and writing
 */
public record ComputeEstimate(TokenWork work, double gflop, double rate, boolean rateInGflops, double seconds) {

  /**
   * @param shape the model's shape, or null when its config.json lacks it
   * @param sample the sample's work at the chosen maxSeqLength
   * @param inputRows non-null rows of the whole input (estimated)
   * @param runShare the share of the work the model runs (1 without duplicate reuse)
   * @param calibration the calibration rows' work (every row run), or null for the work alone
   * @param calibrationSeconds how long the calibration rows took
   */
  public static ComputeEstimate of(EncoderShape shape, TokenWork sample, long inputRows, double runShare,
      TokenWork calibration, double calibrationSeconds) {
    if (calibration != null && !(calibrationSeconds > 0)) {
      throw new IllegalArgumentException("Invalid calibration time (must be > 0 s): " + calibrationSeconds);
    }
    if (!(runShare > 0 && runShare <= 1)) {
      throw new IllegalArgumentException("Invalid share of work run (must be in (0, 1]): " + runShare);
    }
    TokenWork full = sample.scaledTo(inputRows);
    double fullWork = shape == null ? full.tokens() : shape.flops(full);
    double gflop = shape == null ? Double.NaN : fullWork / 1e9;
    if (calibration == null) {
      return new ComputeEstimate(full, gflop, Double.NaN, shape != null, Double.NaN);
    }
    double calibrationWork = shape == null ? calibration.tokens() : shape.flops(calibration);
    double perSecond = calibrationWork / calibrationSeconds;
    double seconds = perSecond == 0 ? 0 : fullWork * runShare / perSecond;
    return new ComputeEstimate(full, gflop, shape == null ? perSecond : perSecond / 1e9, shape != null, seconds);
  }
}
