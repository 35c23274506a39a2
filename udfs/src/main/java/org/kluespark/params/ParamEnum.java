package org.kluespark.params;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The lower-case Param spelling of enum-valued options ({@code pooling}, {@code device}) in one place. */
public final class ParamEnum {
  private ParamEnum() {}

  public static String valueOf(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }

  public static <E extends Enum<E>> List<String> values(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(ParamEnum::valueOf).toList();
  }

  /** Parses {@code value} case-insensitively, or fails naming the Param and the valid values. */
  public static <E extends Enum<E>> E parse(Class<E> type, String param, String value) {
    for (E constant : type.getEnumConstants()) {
      if (valueOf(constant).equalsIgnoreCase(value)) {
        return constant;
      }
    }
    throw new IllegalArgumentException("Invalid " + param + " '" + value + "', expected one of " + values(type));
  }
}
