package org.kluespark.precision;

/** A model cannot be converted to float16 compute; the message names the model and says why. */
public class Float16ConversionException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public Float16ConversionException(String message) {
    super(message);
  }

  public Float16ConversionException(String message, Throwable cause) {
    super(message, cause);
  }
}
