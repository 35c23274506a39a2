package org.kluespark.checkpoint;

import org.kluespark.convert.ConversionException;

/** A checkpoint file that cannot be read; the message names the file (and tensor) and what to do. */
public class CheckpointException extends ConversionException {
  private static final long serialVersionUID = 1L;

  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
