package org.kluespark.testing.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.math.MathContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErfTest {
  private static final MathContext PRECISE = new MathContext(80);
  private static final BigDecimal TWO_OVER_SQRT_PI =
      new BigDecimal("1.1283791670955125738961589031215451716881012586579977136881714434212849368829868290");

  // Expected values to 50 digits from the Maclaurin series (below), rounded to double.
  @ParameterizedTest
  @CsvSource({
      "0.0, 0.0",
      "1e-10, 1.1283791670955126e-10",
      "0.1, 0.11246291601828489220327507174396838322169629915970",
      "-0.3, -0.32862675945912742763891404786675655116991809626291",
      "0.46875, 0.49261347321793799158817610193534665692367159337032",
      "0.5, 0.52049987781304653768274665389196452873645157575751",
      "0.75, 0.71115563365351513159893783459141077737420595410466",
      "1.0, 0.84270079294971486934122063508260925929606699793898",
      "-1.5, -0.96610514647531072706697626164594785868141047926245",
      "2.0, 0.99532226501895273416206925636725292861089179708259",
      "3.0, 0.99997790950300141455862722387041767962015229283600",
      "3.999, 0.99999998445525050900499436981353630755533984954241",
      "4.0, 0.99999998458274209971998114784032651311595143317941",
      "4.5, 0.99999999980338395584571125237208396323356697547759",
      "-5.0, -0.99999999999846254020557196514981165651466146704107",
      "6.0, 1.0",
      "27.0, 1.0",
      "-40.0, -1.0"})
  void matchesKnownValues(double x, double expected) {
    assertThat(Erf.erf(x)).isCloseTo(expected, within(1e-15));
  }

  @Test
  void agreesWithTheSeriesOnAFineGrid() {
    double worst = 0;
    for (int i = -600; i <= 600; i++) {
      double x = i * 0.01 + 0.003; // off the grid of Cody's interval boundaries, and through them
      worst = Math.max(worst, Math.abs(Erf.erf(x) - series(x)));
    }
    for (double boundary : new double[] {0.46875, Math.nextUp(0.46875), 4.0, Math.nextUp(4.0)}) {
      worst = Math.max(worst, Math.abs(Erf.erf(boundary) - series(boundary)));
    }
    assertThat(worst).isLessThan(1e-15);
  }

  @Test
  void isOddAndNanSafe() {
    for (double x : new double[] {0.2, 0.7, 1.3, 3.3, 4.7, 9.0}) {
      assertThat(Erf.erf(-x)).isEqualTo(-Erf.erf(x));
    }
    assertThat(Erf.erf(Double.NaN)).isNaN();
    assertThat(Erf.erf(Double.POSITIVE_INFINITY)).isEqualTo(1.0);
    assertThat(Erf.erf(Double.NEGATIVE_INFINITY)).isEqualTo(-1.0);
  }

  /** erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1)), summed with 80 digits (terms reach e^{x²} for |x| ≤ 6). */
  private static double series(double value) {
    BigDecimal x = new BigDecimal(value);
    BigDecimal xSquared = x.multiply(x, PRECISE);
    BigDecimal power = x; // (-1)^n x^(2n+1) / n!
    BigDecimal sum = BigDecimal.ZERO;
    BigDecimal tolerance = new BigDecimal("1e-40");
    for (int n = 0; ; n++) {
      BigDecimal term = power.divide(BigDecimal.valueOf(2L * n + 1), PRECISE);
      sum = sum.add(term, PRECISE);
      if (term.abs().compareTo(tolerance) < 0 && n > 2 * xSquared.doubleValue()) {
        break;
      }
      power = power.multiply(xSquared, PRECISE).divide(BigDecimal.valueOf(-(n + 1L)), PRECISE);
    }
    return sum.multiply(TWO_OVER_SQRT_PI, PRECISE).doubleValue();
  }
}
