package org.kluespark.precision;

import java.util.HashSet;
import java.util.Set;

/** Names already taken in a graph being rewritten, and fresh ones for the tensors and nodes a rewrite adds. */
final class UniqueNames {
  private final Set<String> used = new HashSet<>();

  void add(String name) {
    used.add(name);
  }

  void addAll(Iterable<String> names) {
    names.forEach(used::add);
  }

  /** {@code hint}, or {@code hint_2}, {@code hint_3}... whichever is free first; taken from then on. */
  String unique(String hint) {
    String name = hint;
    for (int n = 2; used.contains(name); n++) {
      name = hint + "_" + n;
    }
    used.add(name);
    return name;
  }
}
