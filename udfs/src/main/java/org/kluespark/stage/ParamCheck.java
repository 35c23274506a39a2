package org.kluespark.stage;

import java.io.Serializable;
import java.util.function.Predicate;
import scala.runtime.AbstractFunction1;

/**
 * A Spark Param validator that fails with our own message ("Invalid batchSize (must be > 0): -1")
 * rather than Spark's generic "parameter batchSize given invalid value -1".
 */
final class ParamCheck<T> extends AbstractFunction1<T, Object> implements Serializable {
  private static final long serialVersionUID = 1L;

  interface SerializablePredicate<T> extends Predicate<T>, Serializable {}

  private final SerializablePredicate<T> valid;
  private final String param;
  private final String rule;
  private final boolean choice; // "Invalid pooling 'avg', expected one of [...]" rather than "(rule): value"

  private ParamCheck(String param, String rule, boolean choice, SerializablePredicate<T> valid) {
    this.param = param;
    this.rule = rule;
    this.choice = choice;
    this.valid = valid;
  }

  static ParamCheck<Object> positive(String param) {
    return new ParamCheck<>(param, "must be > 0", false, v -> ((Number) v).intValue() > 0);
  }

  static ParamCheck<Object> atLeast(String param, int min) {
    return new ParamCheck<>(param, "must be >= " + min, false, v -> ((Number) v).intValue() >= min);
  }

  static ParamCheck<String> oneOf(String param, java.util.List<String> allowed) {
    java.util.List<String> copy = java.util.List.copyOf(allowed);
    return new ParamCheck<>(param, "expected one of " + copy, true, copy::contains);
  }

  static ParamCheck<String> nonBlank(String param) {
    return new ParamCheck<>(param, "must not be empty", false, v -> v != null && !v.isBlank());
  }

  /** Any string, the empty one included ("" = none); null is refused. */
  static ParamCheck<String> notNull(String param) {
    return new ParamCheck<>(param, "must not be null; use \"\" for none", false, v -> v != null);
  }

  static ParamCheck<int[]> nonEmptyInts(String param) {
    return new ParamCheck<>(param, "must not be empty", false, v -> v != null && v.length > 0);
  }

  String describe(Object value) {
    String shown = value instanceof int[] ints ? java.util.Arrays.toString(ints) : String.valueOf(value);
    return choice ? "Invalid " + param + " '" + shown + "', " + rule : "Invalid " + param + " (" + rule + "): " + shown;
  }

  @Override
  public Object apply(T value) {
    if (!valid.test(value)) {
      throw new IllegalArgumentException(describe(value));
    }
    return Boolean.TRUE;
  }
}
