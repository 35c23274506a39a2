package org.kluespark.sql;

import java.util.Arrays;
import java.util.List;
import scala.collection.JavaConverters;
import scala.collection.immutable.Seq;

/**
 * Conversions between Java lists and the Scala sequences Catalyst's tree nodes take. JavaConverters (deprecated
 * on Scala 2.13 but present) rather than scala.jdk, which Scala 2.12 (the Spark 3.5 build) lacks.
 */
final class Seqs {
  private Seqs() {}

  @SafeVarargs
  static <T> Seq<T> of(T... items) {
    return from(Arrays.asList(items));
  }

  static <T> Seq<T> from(List<T> items) {
    return JavaConverters.asScalaBuffer(items).toList();
  }

  static <T> List<T> toList(scala.collection.Seq<T> items) {
    return JavaConverters.seqAsJavaList(items);
  }
}
