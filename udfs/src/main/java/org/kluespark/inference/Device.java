package org.kluespark.inference;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Where inference runs: {@code auto} (the task's GPU when it has one, else CPU), {@code cpu}, {@code cuda}. */
public enum Device {
  AUTO, CPU, CUDA;

  public static List<String> names() {
    return Arrays.stream(values()).map(Device::paramValue).toList();
  }

  public String paramValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Device fromParam(String value) {
    for (Device device : values()) {
      if (device.paramValue().equalsIgnoreCase(value)) {
        return device;
      }
    }
    throw new IllegalArgumentException("Invalid device '" + value + "', expected one of " + names());
  }
}
