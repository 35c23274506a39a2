package org.kluespark.downstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kluespark.examples.KlueMetrics;
import org.kluespark.examples.KlueMetrics.Entity;
import org.kluespark.examples.KlueMetrics.EntityScores;

/** The downstream metrics against values worked out by hand (in the comments). */
class KlueMetricsTest {
  @Test
  void macroF1IsTheUnweightedMeanOfPerClassF1() {
    // a: P 1/1, R 1/2 → 2/3. b: P 1/3, R 1/1 → 1/2. c: never predicted → 0. Macro: (2/3 + 1/2 + 0) / 3 = 7/18.
    // (The weighted F1 Spark's evaluator reports would be (2·2/3 + 1·1/2 + 1·0) / 4 = 11/24.)
    assertThat(KlueMetrics.macroF1(List.of("a", "a", "b", "c"), List.of("a", "b", "b", "b")))
        .isCloseTo(7.0 / 18, within(1e-15));
  }

  @Test
  void macroF1CountsALabelOnlyPredicted() {
    // a: P 1/1, R 1/2 → 2/3; z (predicted, never gold): 0. Macro: 1/3.
    assertThat(KlueMetrics.macroF1(List.of("a", "a"), List.of("a", "z"))).isCloseTo(1.0 / 3, within(1e-15));
    assertThat(KlueMetrics.macroF1(List.of("a", "b"), List.of("a", "b"))).isEqualTo(1.0);
  }

  @Test
  void accuracyIsTheFractionOfMatches() {
    assertThat(KlueMetrics.accuracy(List.of("e", "n", "c", "e", "n"), List.of("e", "c", "c", "e", "e")))
        .isEqualTo(0.6);
    assertThatThrownBy(() -> KlueMetrics.accuracy(List.of("e"), List.of()))
        .hasMessage("gold and predicted need the same non-zero length, got 1 and 0");
  }

  @Test
  void pearsonMatchesTheHandComputedValue() {
    // deviations x: -1.5 -0.5 0.5 1.5 (Σdx² = 5); y: -3 -1 0 4 (Σdy² = 26); Σdxdy = 4.5 + 0.5 + 0 + 6 = 11.
    assertThat(KlueMetrics.pearson(new double[] {1, 2, 3, 4}, new double[] {2, 4, 5, 9}))
        .isCloseTo(11 / Math.sqrt(130), within(1e-15))
        .isCloseTo(0.9647638212, within(1e-10));
    assertThat(KlueMetrics.pearson(new double[] {1, 2, 3}, new double[] {6, 4, 2})).isCloseTo(-1, within(1e-15));
  }

  @Test
  void cosineOfKnownVectors() {
    assertThat(KlueMetrics.cosine(new double[] {1, 0}, new double[] {1, 1})).isCloseTo(Math.sqrt(0.5), within(1e-15));
    assertThat(KlueMetrics.cosine(new double[] {3, 4}, new double[] {-6, -8})).isCloseTo(-1, within(1e-15));
  }

  @Test
  void entitiesAreMaximalSpansOfOneType() {
    assertThat(KlueMetrics.entities(0, List.of("B-LC", "I-LC", "B-LC", "O", "I-DT", "I-DT", "B-PS", "I-OG")))
        .containsExactly(new Entity(0, 0, 1, "LC"), new Entity(0, 2, 2, "LC"), new Entity(0, 4, 5, "DT"),
            new Entity(0, 6, 6, "PS"), new Entity(0, 7, 7, "OG"));
    assertThat(KlueMetrics.entities(3, List.of("O", "O"))).isEmpty();
  }

  @Test
  void entityF1IsMicroAveragedExactMatch() {
    // Sentence 0: gold PS(0-1) LC(3) DT(5-6); predicted PS(0-1) ✓, OG(3) ✗ (type), DT(5) ✗ (end).
    // Sentence 1: gold QT(1-2); predicted QT(1-2) ✓ (starts with I-), PS(3) ✗.
    // Gold 4, predicted 5, correct 2: P 2/5, R 2/4, F1 = 2·2 / (5 + 4) = 4/9.
    EntityScores scores = KlueMetrics.entityF1(
        List.of(List.of("B-PS", "I-PS", "O", "B-LC", "O", "B-DT", "I-DT"), List.of("O", "B-QT", "I-QT", "O")),
        List.of(List.of("B-PS", "I-PS", "O", "B-OG", "O", "B-DT", "O"), List.of("O", "I-QT", "I-QT", "B-PS")));
    assertThat(scores.gold()).isEqualTo(4);
    assertThat(scores.predicted()).isEqualTo(5);
    assertThat(scores.correct()).isEqualTo(2);
    assertThat(scores.precision()).isEqualTo(0.4);
    assertThat(scores.recall()).isEqualTo(0.5);
    assertThat(scores.f1()).isCloseTo(4.0 / 9, within(1e-15));
  }

  @Test
  void entityF1IsZeroWithoutEntitiesAndRejectsMisalignedSentences() {
    assertThat(KlueMetrics.entityF1(List.of(List.of("O")), List.of(List.of("O"))).f1()).isEqualTo(0.0);
    assertThatThrownBy(() -> KlueMetrics.entityF1(List.of(List.of("O", "O")), List.of(List.of("O"))))
        .hasMessage("sentence 0 has 2 gold tags but 1 predicted tags");
  }
}
