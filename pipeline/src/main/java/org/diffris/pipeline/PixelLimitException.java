package org.diffris.pipeline;

/**
 * A job larger than the host allows: the message gives the pixel count, what was counted and the
 * limit; the host adds which setting raises it.
 */
public final class PixelLimitException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  private final long pixels;
  private final String what;
  private final long limit;

  public PixelLimitException(long pixels, String what, long limit) {
    super("the request covers " + pixels + " pixels (" + what + "), above the limit of " + limit);
    this.pixels = pixels;
    this.what = what;
    this.limit = limit;
  }

  /** Throws when {@code pixels} is above {@code limit}. */
  public static void check(long pixels, String what, long limit) {
    if (pixels > limit) {
      throw new PixelLimitException(pixels, what, limit);
    }
  }

  public long pixels() {
    return pixels;
  }

  /** What was counted, for example {@code "the model's grid at 1.0 m per pixel"}. */
  public String what() {
    return what;
  }

  public long limit() {
    return limit;
  }
}
