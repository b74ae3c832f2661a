package org.diffris.geotools;

import java.io.IOException;
import java.util.OptionalDouble;
import org.diffris.runtime.tiling.RasterSource;

/** A {@link RasterSource} showing one {@link PixelWindow} of another: pixel (0, 0) is the window's corner. */
final class WindowSource implements RasterSource {
  private final RasterSource whole;
  private final PixelWindow window;

  WindowSource(RasterSource whole, PixelWindow window) {
    this.whole = whole;
    this.window = window;
  }

  @Override
  public int width() {
    return window.width();
  }

  @Override
  public int height() {
    return window.height();
  }

  @Override
  public int bandCount() {
    return whole.bandCount();
  }

  @Override
  public OptionalDouble nodata(int band) {
    return whole.nodata(band);
  }

  @Override
  public void read(int x, int y, int width, int height, int[] bands, float[] dest)
      throws IOException {
    whole.read(window.x() + x, window.y() + y, width, height, bands, dest);
  }
}
