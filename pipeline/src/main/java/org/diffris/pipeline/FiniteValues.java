package org.diffris.pipeline;

import java.io.IOException;
import org.diffris.runtime.tiling.RasterSource;

/**
 * A floating-point raster whose infinite values read as NaN, which every reader of a {@link
 * RasterSource} takes as missing data. An infinity in imagery is no measurement (a logarithm of 0,
 * an overflow, a marker for "no data"): as a value it would become a scaling limit (a range to
 * infinity shows every other pixel black) or a white pixel, and it would spread through
 * interpolation.
 */
final class FiniteValues extends ForwardingRaster {
  FiniteValues(RasterSource raster) {
    super(raster);
  }

  @Override
  public void read(int x, int y, int width, int height, int[] bands, float[] dest)
      throws IOException {
    raster.read(x, y, width, height, bands, dest);
    int n = bands.length * width * height;
    for (int i = 0; i < n; i++) {
      if (Float.isInfinite(dest[i])) {
        dest[i] = Float.NaN;
      }
    }
  }
}
