package org.diffris.pipeline;

/**
 * A raster or a request that cannot be segmented, with a one-line message that says what was
 * wrong and what is accepted. Hosts report it as it is: the WPS process wraps it in a
 * {@code ProcessException}, the command line prints it and exits with status 1.
 */
public class InvalidInputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidInputException(String message) {
    super(message);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
