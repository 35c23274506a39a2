package org.kluespark.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HalfFloatsTest {

  @Test
  void everyHalfValueWidensExactlyAndNarrowsBack() {
    for (int bits = 0; bits < 0x10000; bits++) {
      float value = HalfFloats.halfToFloat(bits);
      if (Float.isNaN(value)) {
        assertThat((bits >>> 10) & 0x1f).isEqualTo(0x1f);
        assertThat(Float.isNaN(HalfFloats.halfToFloat(HalfFloats.floatToHalf(value)))).isTrue();
      } else {
        assertThat(HalfFloats.floatToHalf(value) & 0xffff).as("half 0x%04x", bits).isEqualTo(bits);
      }
    }
  }

  @Test
  void knownHalfValues() {
    assertThat(HalfFloats.halfToFloat(0x3c00)).isEqualTo(1.0f);
    assertThat(HalfFloats.halfToFloat(0xc000)).isEqualTo(-2.0f);
    assertThat(HalfFloats.halfToFloat(0x7bff)).isEqualTo(65504.0f);
    assertThat(HalfFloats.halfToFloat(0x0001)).isEqualTo(0x1p-24f);
    assertThat(HalfFloats.halfToFloat(0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(Float.floatToIntBits(HalfFloats.halfToFloat(0x8000))).isEqualTo(Float.floatToIntBits(-0.0f));
  }

  @Test
  void narrowingRoundsToNearestEven() {
    // 1 + 2^-11 is halfway between 1 and the next half (1 + 2^-10): ties go to the even mantissa, 1.
    assertThat(HalfFloats.floatToHalf(1f + 0x1p-11f)).isEqualTo((short) 0x3c00);
    // 1 + 3 * 2^-11 is halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even): rounds up.
    assertThat(HalfFloats.floatToHalf(1f + 3 * 0x1p-11f)).isEqualTo((short) 0x3c02);
    assertThat(HalfFloats.floatToHalf(1f + 0x1p-11f + 0x1p-20f)).isEqualTo((short) 0x3c01);
    assertThat(HalfFloats.floatToHalf(65520f)).isEqualTo((short) 0x7c00); // rounds past 65504 to infinity
    assertThat(HalfFloats.floatToHalf(1e-8f)).isEqualTo((short) 0); // below half the smallest subnormal
    assertThat(HalfFloats.floatToHalf(0x1p-25f * 1.5f)).isEqualTo((short) 1); // above half: smallest subnormal
    assertThat(HalfFloats.floatToHalf(0x1p-25f)).isEqualTo((short) 0); // exactly half: ties to even (0)
  }

  @Test
  void bfloat16KeepsTheTopHalfOfAFloatRoundingToNearestEven() {
    assertThat(HalfFloats.bfloat16ToFloat(0x3f80)).isEqualTo(1.0f);
    assertThat(HalfFloats.bfloat16ToFloat(0xc040)).isEqualTo(-3.0f);
    assertThat(HalfFloats.floatToBfloat16(1.0f)).isEqualTo((short) 0x3f80);
    assertThat(HalfFloats.floatToBfloat16(Float.intBitsToFloat(0x3f808000))).isEqualTo((short) 0x3f80); // tie, even
    assertThat(HalfFloats.floatToBfloat16(Float.intBitsToFloat(0x3f818000))).isEqualTo((short) 0x3f82); // tie, odd
    assertThat(HalfFloats.floatToBfloat16(Float.intBitsToFloat(0x3f808001))).isEqualTo((short) 0x3f81);
    assertThat(Float.isNaN(HalfFloats.bfloat16ToFloat(HalfFloats.floatToBfloat16(Float.NaN)))).isTrue();
  }
}
