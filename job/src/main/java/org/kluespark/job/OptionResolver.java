package org.kluespark.job;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Picks each option's value: the command line first, then {@code kluespark.<option>} from the --conf file.
 * Values from the file are strings and are parsed here, with messages that name the key and the file.
 */
final class OptionResolver {
  private final ConfFile conf;

  OptionResolver(ConfFile conf) {
    this.conf = conf;
  }

  /** The option's value, or null when neither the command line nor the file gives one. */
  String string(String option, String fromCli) {
    return fromCli != null ? fromCli : conf.option(option);
  }

  String required(String option, String fromCli) {
    String value = string(option, fromCli);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("Missing --" + option + ": give it on the command line or as "
          + ConfFile.OPTION_PREFIX + option + " in a --conf file.");
    }
    return value;
  }

  /**
   * Exactly one of two alternative options (--input or --input-table), as {first, second} with one null. When the
   * command line gives either, the file's values for both are ignored, so the command line still wins.
   */
  String[] oneOf(String first, String firstFromCli, String second, String secondFromCli) {
    String[] values = firstFromCli != null || secondFromCli != null
        ? new String[] {firstFromCli, secondFromCli}
        : new String[] {conf.option(first), conf.option(second)};
    if (values[0] != null && values[1] != null) {
      throw new IllegalArgumentException("--" + first + " and --" + second + " were both given (" + values[0]
          + ", " + values[1] + "); give only one.");
    }
    if (values[0] == null && values[1] == null) {
      throw new IllegalArgumentException("Missing --" + first + " or --" + second + ": give one on the command "
          + "line or as " + ConfFile.OPTION_PREFIX + first + " or " + ConfFile.OPTION_PREFIX + second
          + " in a --conf file.");
    }
    return values;
  }

  /** A comma-separated list (--partition-by a,b); empty when not given. */
  List<String> list(String option, String fromCli) {
    String text = string(option, fromCli);
    if (text == null || text.isBlank()) {
      return List.of();
    }
    List<String> items = Arrays.stream(text.split(",")).map(String::strip).toList();
    if (items.stream().anyMatch(String::isEmpty)) {
      throw new IllegalArgumentException("--" + option + " '" + text + "' has an empty name; give column names "
          + "separated by commas.");
    }
    return items;
  }

  Integer integer(String option, Integer fromCli) {
    return parsed(option, fromCli, "a whole number", Integer::valueOf);
  }

  Double decimal(String option, Double fromCli) {
    return parsed(option, fromCli, "a number", Double::valueOf);
  }

  /** A negatable option: the command line's value, else the file's true or false, else null. */
  Boolean bool(String option, Boolean fromCli) {
    return parsed(option, fromCli, "true or false", OptionResolver::parseBoolean);
  }

  private static Boolean parseBoolean(String text) {
    if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
      throw new IllegalArgumentException(text);
    }
    return Boolean.valueOf(text);
  }

  /** A flag is on when given on the command line or set to true in the file. */
  boolean flag(String option, boolean fromCli) {
    if (fromCli) {
      return true;
    }
    Boolean fromFile = parsed(option, null, "true or false", OptionResolver::parseBoolean);
    return Boolean.TRUE.equals(fromFile);
  }

  private <T> T parsed(String option, T fromCli, String expected, Function<String, T> parse) {
    if (fromCli != null) {
      return fromCli;
    }
    String text = conf.option(option);
    if (text == null) {
      return null;
    }
    try {
      return parse.apply(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(conf.describe(option) + ": '" + text + "' is not " + expected + ".", e);
    }
  }
}
