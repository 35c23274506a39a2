package org.kluespark.job.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ComputeEstimateTest {
  private static final EncoderShape MINILM = new EncoderShape(384, 6, 1536);

  @Test
  void nonEmbeddingParametersAndFlopsAsTheBenchmarkCountsThem() {
    // 6 × (4·384² + 2·384·1536 + 9·384 + 1536) = 10,646,784
    assertThat(MINILM.nonEmbeddingParameters()).isEqualTo(10_646_784L);
    TokenWork work = TokenWork.of(new int[] {10, 20});
    assertThat(work).isEqualTo(new TokenWork(2, 30, 500));
    assertThat(MINILM.flops(work)).isEqualTo(2.0 * 10_646_784 * 30 + 4.0 * 6 * 384 * 500);
  }

  @Test
  void readsTheShapeFromConfigJson() {
    assertThat(EncoderShape.parse("{\"hidden_size\": 384, \"num_hidden_layers\": 6, \"intermediate_size\": 1536}"))
        .contains(MINILM);
    assertThat(EncoderShape.parse("{\"hidden_size\": 384}")).isEmpty();
    assertThat(EncoderShape.parse(null)).isEmpty();
    assertThat(EncoderShape.parse("not json")).isEmpty();
  }

  @Test
  void scalesTheSampleToTheInputAndTimesItAtTheCalibratedRate() {
    TokenWork sample = TokenWork.of(new int[] {10, 20}); // 15 tokens per row
    TokenWork calibration = TokenWork.of(new int[] {10, 20});
    double calibrationFlops = MINILM.flops(calibration);

    ComputeEstimate estimate = ComputeEstimate.of(MINILM, sample, 2000, 1.0, calibration, 0.5);

    assertThat(estimate.work()).isEqualTo(new TokenWork(2000, 30_000, 500_000));
    assertThat(estimate.gflop()).isCloseTo(MINILM.flops(sample) * 1000 / 1e9, within(1e-9));
    assertThat(estimate.rateInGflops()).isTrue();
    assertThat(estimate.rate()).isCloseTo(calibrationFlops / 0.5 / 1e9, within(1e-9));
    assertThat(estimate.seconds()).isCloseTo(1000 * 0.5, within(1e-9)); // 1000 × the calibration's work
  }

  @Test
  void onlyTheRowsRunTakeTime() {
    TokenWork work = TokenWork.of(new int[] {16, 16});
    ComputeEstimate all = ComputeEstimate.of(MINILM, work, 200, 1.0, work, 1.0);
    ComputeEstimate reused = ComputeEstimate.of(MINILM, work, 200, 0.75, work, 1.0);

    assertThat(reused.gflop()).isEqualTo(all.gflop()); // compute counts repeats, as the benchmark does
    assertThat(reused.seconds()).isCloseTo(all.seconds() * 0.75, within(1e-9));
  }

  @Test
  void withoutTheShapeTheRateIsTokensPerSecond() {
    ComputeEstimate estimate = ComputeEstimate.of(null, TokenWork.of(new int[] {8, 8}), 100, 1.0,
        TokenWork.of(new int[] {8, 8}), 0.016);

    assertThat(estimate.gflop()).isNaN();
    assertThat(estimate.rateInGflops()).isFalse();
    assertThat(estimate.rate()).isCloseTo(1000, within(1e-9));
    assertThat(estimate.seconds()).isCloseTo(0.8, within(1e-9));
  }

  @Test
  void withoutACalibrationOnlyTheWork() {
    ComputeEstimate estimate = ComputeEstimate.of(MINILM, TokenWork.of(new int[] {8, 8}), 100, 1.0, null, Double.NaN);

    assertThat(estimate.gflop()).isCloseTo(MINILM.flops(new TokenWork(100, 800, 6400)) / 1e9, within(1e-9));
    assertThat(estimate.seconds()).isNaN();
    assertThat(estimate.rate()).isNaN();
  }

  @Test
  void refusesANonPositiveCalibrationTime() {
    TokenWork work = TokenWork.of(new int[] {8});
    assertThatThrownBy(() -> ComputeEstimate.of(MINILM, work, 10, 1.0, work, 0))
        .hasMessage("Invalid calibration time (must be > 0 s): 0.0");
  }
}
