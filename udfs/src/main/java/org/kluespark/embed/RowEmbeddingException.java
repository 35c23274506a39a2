package org.kluespark.embed;

/** A row could not be embedded and the stage was not asked to keep going (no errorCol). */
public final class RowEmbeddingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RowEmbeddingException(String message, Throwable cause) {
    super(message, cause);
  }
}
