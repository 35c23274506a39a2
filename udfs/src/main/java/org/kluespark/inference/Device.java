package org.kluespark.inference;

import java.util.List;
import org.kluespark.params.ParamEnum;

/** Where inference runs: {@code auto} (the task's GPU when it has one, else CPU), {@code cpu}, {@code cuda}. */
public enum Device {
  AUTO, CPU, CUDA;

  public static List<String> names() {
    return ParamEnum.values(Device.class);
  }

  public String paramValue() {
    return ParamEnum.valueOf(this);
  }

  public static Device fromParam(String value) {
    return ParamEnum.parse(Device.class, "device", value);
  }

}
