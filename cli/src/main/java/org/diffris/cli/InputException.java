package org.diffris.cli;

/**
 * A problem with the user's input (file, option, raster) that the user can fix. Its message is one
 * line that names the problem and, where it helps, what is accepted; the command prints it once.
 */
public final class InputException extends Exception {
  public InputException(String message) {
    super(message);
  }

  public InputException(String message, Throwable cause) {
    super(message, cause);
  }
}
