package org.diffris.geoserver.coverage;

/**
 * A coverage or a request parameter that cannot be segmented, with a one-line message saying
 * what was wrong and what is accepted. Hosts report it as it is (the WPS process wraps it in a
 * {@code ProcessException}, a command line prints it).
 */
public final class CoverageInputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public CoverageInputException(String message) {
    super(message);
  }

  public CoverageInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
