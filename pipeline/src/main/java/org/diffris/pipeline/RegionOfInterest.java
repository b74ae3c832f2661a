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

  /** The region in words for a run's manifest (a polygon's WKT), or null when it has none. */
  default String describe() {
    return null;
  }
}
