package org.diffris.pipeline;

import java.util.ArrayList;
import java.util.List;
import org.diffris.vectorizer.PixelBounds;

/**
 * A raster cut into square cores for hosts that run its parts apart (a distributed job): the
 * cores tile the raster without overlap, row by row, each {@code side} pixels square except the
 * last column and row, which take what is left. A core is run as a {@link WindowPlan}, which
 * reads {@link SegmentationPlan#edgeMargin()} more pixels round it.
 */
public final class RasterWindows {
  private RasterWindows() {}

  /**
   * @param width the raster's width in pixels
   * @param height the raster's height in pixels
   * @param side a core's side in pixels
   * @return the cores, row-major; one core when the raster fits in one
   */
  public static List<PixelBounds> cores(int width, int height, int side) {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "a raster is at least 1 x 1, got " + width + " x " + height);
    }
    if (side < 1) {
      throw new IllegalArgumentException("a window's side is at least 1 pixel, got " + side);
    }
    List<PixelBounds> cores = new ArrayList<>();
    for (int y = 0; y < height; y += side) {
      for (int x = 0; x < width; x += side) {
        cores.add(new PixelBounds(x, y, Math.min(width, x + side), Math.min(height, y + side)));
      }
    }
    return cores;
  }
}
