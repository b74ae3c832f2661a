package org.diffris.pipeline;

import java.io.IOException;
import java.util.OptionalDouble;
import org.diffris.runtime.tiling.RasterSource;

/**
 * A raster whose alpha band says where it has data: wherever alpha is 0 every band reads NaN, the
 * tiler's nodata (so those pixels never reach the model nor an answer); elsewhere values pass
 * unchanged. Reads the alpha band beside each request. Immutable.
 */
final class AlphaMask implements RasterSource {
  private final RasterSource raster;
  private final int alphaBand;

  /**
   * @param alphaBand the alpha band, 0-based
   */
  AlphaMask(RasterSource raster, int alphaBand) {
    this.raster = raster;
    this.alphaBand = alphaBand;
  }

  @Override
  public int width() {
    return raster.width();
  }

  @Override
  public int height() {
    return raster.height();
  }

  @Override
  public int bandCount() {
    return raster.bandCount();
  }

  @Override
  public OptionalDouble nodata(int band) {
    return raster.nodata(band);
  }

  @Override
  public void read(int x, int y, int width, int height, int[] bands, float[] dest)
      throws IOException {
    int[] withAlpha = java.util.Arrays.copyOf(bands, bands.length + 1);
    withAlpha[bands.length] = alphaBand;
    int plane = width * height;
    float[] all = new float[withAlpha.length * plane];
    raster.read(x, y, width, height, withAlpha, all);
    System.arraycopy(all, 0, dest, 0, bands.length * plane);
    int alpha = bands.length * plane;
    for (int i = 0; i < plane; i++) {
      if (all[alpha + i] == 0) {
        for (int b = 0; b < bands.length; b++) {
          dest[b * plane + i] = Float.NaN;
        }
      }
    }
  }
}
