package org.diffris.pipeline;

import java.util.Locale;

/**
 * A job whose estimated time ({@link RunEstimate#seconds()}) is above what the host allows,
 * found before any pixel is read: the message gives the estimate, what it is made of and the
 * limit; the host adds which setting raises it.
 */
public final class EstimateLimitException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  private final transient RunEstimate estimate;
  private final double limitSeconds;

  EstimateLimitException(RunEstimate estimate, double limitSeconds) {
    super(
        String.format(
            Locale.ROOT,
            "the request is estimated at %s (%s), above the limit of %s s",
            RunEstimate.duration(estimate.seconds().orElseThrow()),
            estimate.timeBasis(),
            limitSeconds == Math.rint(limitSeconds)
                ? String.valueOf((long) limitSeconds)
                : String.format(Locale.ROOT, "%.3g", limitSeconds)));
    this.estimate = estimate;
    this.limitSeconds = limitSeconds;
  }

  public RunEstimate estimate() {
    return estimate;
  }

  public double limitSeconds() {
    return limitSeconds;
  }
}
