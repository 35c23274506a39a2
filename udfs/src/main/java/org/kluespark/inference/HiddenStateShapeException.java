package org.kluespark.inference;

/**
 * A {@code hidden_states.<i>} output whose shape differs from {@code last_hidden_state}'s, so its token
 * vectors cannot be read the same way. The driver's probe run turns it into a message naming the model file.
 */
public final class HiddenStateShapeException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public HiddenStateShapeException(String message) {
    super(message);
  }
}
