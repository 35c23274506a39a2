package org.kluespark.precision;

import java.util.Arrays;
import java.util.Locale;

/** The ONNX ops an int8 MatMul is written as. See {@link Int8Quantizer} for which one is fastest here. */
public enum Int8OpForm {
  /**
   * {@code com.microsoft DynamicQuantizeMatMul(A, B_int8, b_scale[N], -, bias)}: one node per MatMul, the
   * bias Add folded in. ONNX Runtime's CPU provider runs it directly.
   */
  DYNAMIC_QUANTIZE_MATMUL,
  /**
   * Standard ONNX, what ONNX Runtime's Python quantizer writes: {@code DynamicQuantizeLinear} (once per
   * activation) → {@code MatMulInteger} → {@code Cast} → {@code Mul} by {@code a_scale · b_scale}. ONNX
   * Runtime's optimizer fuses it back to {@code DynamicQuantizeMatMul}; other runtimes can run it as is.
   */
  MATMUL_INTEGER;

  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Int8OpForm fromLabel(String label) {
    for (Int8OpForm value : values()) {
      if (value.label().equalsIgnoreCase(label)) {
        return value;
      }
    }
    throw new IllegalArgumentException("Invalid int8 op form '" + label + "', expected one of "
        + Arrays.stream(values()).map(Int8OpForm::label).toList());
  }
}
