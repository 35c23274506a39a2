package org.kluespark.checkpoint;

/**
 * IEEE float16 and bfloat16 conversions (Java 17 has no {@code Float.float16ToFloat}). Narrowing
 * rounds to nearest, ties to even, as PyTorch's {@code .half()} and {@code .bfloat16()} do.
 */
public final class HalfFloats {
  private HalfFloats() {}

  /** The float16 bit pattern {@code bits} (low 16 bits) as a float; exact. */
  public static float halfToFloat(int bits) {
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent == 0) {
      // Zero or subnormal: mantissa * 2^-24, exact in float.
      float magnitude = mantissa * 0x1p-24f;
      return sign != 0 ? -magnitude : magnitude;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }

  /** The nearest float16 to {@code value}; overflow gives infinity, NaN stays NaN. */
  public static short floatToHalf(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int exponent = (bits >>> 23) & 0xff;
    int mantissa = bits & 0x7fffff;
    if (exponent == 0xff) {
      return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 | (mantissa >>> 13) : 0));
    }
    int halfExponent = exponent - 112;
    if (halfExponent >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (halfExponent <= 0) {
      if (halfExponent < -10) {
        return (short) sign; // below half the smallest subnormal: rounds to zero
      }
      int full = mantissa | 0x800000;
      return (short) (sign | roundShift(full, 14 - halfExponent));
    }
    // A carry out of the mantissa correctly bumps the exponent (and reaches infinity at the top).
    return (short) (sign | roundShift((halfExponent << 23) | mantissa, 13));
  }

  /** The bfloat16 bit pattern (low 16 bits) as a float; exact. */
  public static float bfloat16ToFloat(int bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /** The nearest bfloat16 to {@code value}. */
  public static short floatToBfloat16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    return (short) roundShift(bits, 16);
  }

  private static int roundShift(int value, int shift) {
    int result = value >>> shift;
    int remainder = value & ((1 << shift) - 1);
    int halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder == halfway && (result & 1) != 0)) {
      result++;
    }
    return result;
  }
}
