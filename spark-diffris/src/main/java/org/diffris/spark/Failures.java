package org.diffris.spark;

/** How a raster's failure is told in the failures table: the message a user can act on. */
final class Failures {
  private Failures() {}

  static String reason(Throwable e) {
    if (e instanceof OutOfMemoryError) {
      return "out of memory on the executor: give executors more memory"
          + " (--executor-memory) or use a smaller --window";
    }
    String message = e.getMessage();
    Throwable cause = e.getCause();
    if (cause != null && cause.getMessage() != null && !cause.getMessage().equals(message)) {
      message = message == null ? cause.getMessage() : message + ": " + cause.getMessage();
    }
    return message == null ? e.getClass().getSimpleName() : message;
  }
}
