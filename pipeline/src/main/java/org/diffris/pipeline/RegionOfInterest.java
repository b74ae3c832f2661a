package org.diffris.pipeline;

import org.diffris.vectorizer.PixelBounds;

/**
 * Which pixels of a raster a job may answer with, as a pixel predicate applied to each final row
 * band before it is vectorized: pixels outside become nodata (probability 0, validity 0), so no
 * polygon reaches them. {@link RoiMask} is the polygon one; a host may give any other (a window of
 * a distributed job, a mask raster).
 */
public interface RegionOfInterest {
  /**
   * Clears the pixels outside the region in rows {@code [firstRow, firstRow + height)} of a
   * {@code width}-wide band ({@code probabilities} and {@code valid} are row-major).
   */
  void apply(int firstRow, int width, int height, float[] probabilities, byte[] valid);

  /**
   * Whether the region's boundary passes within {@code margin} pixels of a rectangle of pixels
   * (so that an object there may be cut by it, or answered with less context than elsewhere).
   * May say true more often than needed, never less.
   */
  boolean boundaryNear(PixelBounds pixels, int margin);

  /**
   * Whether a pixel of the rectangle may be inside the region: false only when none is, so a
   * host that runs a raster in parts may leave that part unread. May say true more often than
   * needed.
   */
  default boolean reaches(PixelBounds pixels) {
    return true;
  }

  /**
   * This region in the pixels of a window of the raster ({@code read}, pixel (0, 0) its corner),
   * clearing exactly the pixels it clears in the whole raster.
   *
   * @throws InvalidOptionException when this kind of region cannot be cut into windows
   */
  default RegionOfInterest window(PixelBounds read) {
    throw new InvalidOptionException(
        "roi",
        "of this kind ("
            + getClass().getSimpleName()
            + ") cannot be cut into windows; give the roi as a polygon, or crop the raster"
            + " instead");
  }

  /** Pixels inside both regions; near a boundary of either. */
  static RegionOfInterest both(RegionOfInterest a, RegionOfInterest b) {
    return new RegionOfInterest() {
      @Override
      public void apply(int firstRow, int width, int height, float[] p, byte[] valid) {
        a.apply(firstRow, width, height, p, valid);
        b.apply(firstRow, width, height, p, valid);
      }

      @Override
      public boolean boundaryNear(PixelBounds pixels, int margin) {
        return a.boundaryNear(pixels, margin) || b.boundaryNear(pixels, margin);
      }

      @Override
      public boolean reaches(PixelBounds pixels) {
        return a.reaches(pixels) && b.reaches(pixels);
      }

      @Override
      public RegionOfInterest window(PixelBounds read) {
        return both(a.window(read), b.window(read));
      }

      @Override
      public String describe() {
        String first = a.describe();
        String second = b.describe();
        return first == null ? second : second == null ? first : first + " and " + second;
      }
    };
  }

  /** The region in words for a run's manifest (a polygon's WKT), or null when it has none. */
  default String describe() {
    return null;
  }
}
