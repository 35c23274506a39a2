package org.kluespark.sql;

import java.util.Arrays;
import java.util.List;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/** Conversions between Java lists and the Scala sequences Catalyst's tree nodes take. */
final class Seqs {
  private Seqs() {}

  @SafeVarargs
  static <T> Seq<T> of(T... items) {
    return from(Arrays.asList(items));
  }

  static <T> Seq<T> from(List<T> items) {
    return CollectionConverters.asScala(items).toList();
  }

  static <T> List<T> toList(scala.collection.Seq<T> items) {
    return CollectionConverters.asJava(items);
  }
}
