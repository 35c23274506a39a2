package org.kluespark.precision;

/** A model that cannot be quantized (an input problem: the CLI exits 2); the message says why and what to do. */
public class QuantizationException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public QuantizationException(String message) {
    super(message);
  }

  public QuantizationException(String message, Throwable cause) {
    super(message, cause);
  }
}
