package org.diffris.pipeline;

/**
 * Which pixels of a raster a job may answer with, as a pixel predicate applied to each final row
 * band before it is vectorized: pixels outside become nodata (probability 0, validity 0), so no
 * polygon reaches them. {@link RoiMask} is the polygon one; a host may give any other (a window of
 * a distributed job, a mask raster).
 */
@FunctionalInterface
public interface RegionOfInterest {
  /**
   * Clears the pixels outside the region in rows {@code [firstRow, firstRow + height)} of a
   * {@code width}-wide band ({@code probabilities} and {@code valid} are row-major).
   */
  void apply(int firstRow, int width, int height, float[] probabilities, byte[] valid);
}
