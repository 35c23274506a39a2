package org.kluespark.sql;

/**
 * The Scala case-class plumbing Catalyst needs from a tree node written in Java: the node lists its
 * constructor fields once and this derives {@code productArity}, {@code productElement} and {@code canEqual}
 * from them (Catalyst copies and transforms nodes through these). {@code equals} and {@code hashCode} stay
 * with each node, since Java interfaces cannot define them.
 */
interface CaseClassNode extends scala.Product {
  /** The fields Catalyst copies, in constructor order (as a case class's first parameter list). */
  Object[] productFields();

  @Override
  default int productArity() {
    return productFields().length;
  }

  @Override
  default Object productElement(int n) {
    Object[] fields = productFields();
    if (n < 0 || n >= fields.length) {
      throw new IndexOutOfBoundsException(n);
    }
    return fields[n];
  }

  @Override
  default boolean canEqual(Object that) {
    return that != null && that.getClass() == getClass();
  }
}
