package org.kluespark.model;

/**
 * A model bundle that cannot be used. The message names the file and says what is wrong and what to do;
 * it is an {@link IllegalArgumentException} so Spark ML callers see it like any other bad Param.
 */
public final class ModelBundleException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ModelBundleException(String message) {
    super(message);
  }

  public ModelBundleException(String message, Throwable cause) {
    super(message, cause);
  }
}
