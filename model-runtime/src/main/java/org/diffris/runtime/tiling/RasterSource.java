package org.diffris.runtime.tiling;

import java.io.IOException;
import java.util.OptionalDouble;

/**
 * A raster as the tiler reads it; hosts implement it over their own image type (a GeoTIFF
 * reader, a GridCoverage2D, an array). Bands are numbered from 0.
 *
 * <p>The tiler calls {@link #read} from one thread at a time (its read-ahead thread, not the
 * caller's), always for rectangles inside the raster.
 */
public interface RasterSource {
  int width();

  int height();

  int bandCount();

  /** The value that marks missing pixels in a band, if any. NaN values are always missing. */
  default OptionalDouble nodata(int band) {
    return OptionalDouble.empty();
  }

  /**
   * Reads a rectangle of the selected bands as floats, band-sequential: the value of band
   * {@code bands[i]} at column {@code x + c}, row {@code y + r} goes to
   * {@code dest[(i * height + r) * width + c]}.
   */
  void read(int x, int y, int width, int height, int[] bands, float[] dest) throws IOException;
}
