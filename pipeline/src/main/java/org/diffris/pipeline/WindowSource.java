package org.diffris.pipeline;

import java.io.IOException;
import java.util.OptionalDouble;
import org.diffris.runtime.tiling.RasterSource;
import org.diffris.vectorizer.PixelBounds;

/** A {@link RasterSource} showing a rectangle of another: pixel (0, 0) is the rectangle's corner. */
final class WindowSource implements RasterSource {
  private final RasterSource whole;
  private final PixelBounds window;

  WindowSource(RasterSource whole, PixelBounds window) {
    this.whole = whole;
    this.window = window;
  }

  @Override
  public int width() {
    return window.maxColumn() - window.minColumn();
  }

  @Override
  public int height() {
    return window.maxRow() - window.minRow();
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
    whole.read(window.minColumn() + x, window.minRow() + y, width, height, bands, dest);
  }
}
