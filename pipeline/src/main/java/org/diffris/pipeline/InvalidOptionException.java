package org.diffris.pipeline;

/**
 * An option value that makes no sense, whatever the raster: the message is the option's name
 * followed by the problem ({@code "threshold must be between 0 and 1 (exclusive), got 2.0"}).
 * Each host names options its own way ({@code --min-area} on the command line, {@code minArea} in
 * WPS), so {@link #messageFor} puts the host's name in front of the same problem.
 */
public final class InvalidOptionException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  private final String option;
  private final String problem;

  /**
   * @param option the option's name in {@link SegmentOptions} ({@code "minArea"})
   * @param problem what is wrong, to follow the name ({@code "must be >= 0, got -1.0"})
   */
  public InvalidOptionException(String option, String problem) {
    super(option + " " + problem);
    this.option = option;
    this.problem = problem;
  }

  public String option() {
    return option;
  }

  /** The message with the host's name for the option in front. */
  public String messageFor(String hostName) {
    return hostName + " " + problem;
  }
}
