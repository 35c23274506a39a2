package org.kluespark.examples;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The examples' command line: {@code --name value} options only, each known to the example. */
final class ExampleArgs {
  private final String example;
  private final Map<String, String> values = new HashMap<>();

  ExampleArgs(String example, String usage, Set<String> known, String[] args) {
    this.example = example;
    for (int i = 0; i < args.length; i++) {
      String name = args[i].startsWith("--") ? args[i].substring(2) : null;
      if (name == null || !known.contains(name) || i + 1 >= args.length) {
        throw new IllegalArgumentException(example + ": unexpected argument '" + args[i] + "'; usage: " + usage);
      }
      values.put(name, args[++i]);
    }
  }

  String required(String name) {
    String value = values.get(name);
    if (value == null) {
      throw new IllegalArgumentException(example + ": --" + name + " is required");
    }
    return value;
  }

  String optional(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  int optionalInt(String name, int fallback) {
    String value = values.get(name);
    try {
      return value == null ? fallback : Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(example + ": --" + name + " needs a whole number, got '" + value + "'");
    }
  }
}
