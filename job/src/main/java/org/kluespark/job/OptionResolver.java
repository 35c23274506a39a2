package org.kluespark.job;

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
