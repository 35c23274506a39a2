package org.kluespark.precision;

/** A model that cannot be quantized; the message says why and what to do instead. */
public class QuantizationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public QuantizationException(String message) {
    super(message);
  }

  public QuantizationException(String message, Throwable cause) {
    super(message, cause);
  }
}
