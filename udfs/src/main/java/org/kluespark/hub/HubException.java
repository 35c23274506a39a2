package org.kluespark.hub;

import org.kluespark.convert.ConversionException;

/**
 * A checkpoint that could not be fetched from the HuggingFace hub (or found in its cache). The message
 * names the repository, revision or file and says what to do; it never contains the token.
 */
public class HubException extends ConversionException {
  private static final long serialVersionUID = 1L;

  public HubException(String message) {
    super(message);
  }

  public HubException(String message, Throwable cause) {
    super(message, cause);
  }
}
