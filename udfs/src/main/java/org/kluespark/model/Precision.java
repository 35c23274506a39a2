package org.kluespark.model;

import java.util.List;
import org.kluespark.params.ParamEnum;

/**
 * What a bundle's graph computes in: {@code fp32}, {@code fp16} (half weights and activations, for GPUs) or
 * {@code int8} (int8 weights, activations quantized per call, for CPUs). A float32 graph whose weights are merely
 * stored as float16 ({@code kluespark convert --fp16}) computes in float32 and is {@code fp32}.
 */
public enum Precision {
  FP32, FP16, INT8;

  public static List<String> names() {
    return ParamEnum.values(Precision.class);
  }

  public String paramValue() {
    return ParamEnum.valueOf(this);
  }

  public static Precision fromParam(String param, String value) {
    return ParamEnum.parse(Precision.class, param, value);
  }
}
