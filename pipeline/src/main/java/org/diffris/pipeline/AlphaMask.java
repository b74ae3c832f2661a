package org.diffris.pipeline;

import java.io.IOException;
import org.diffris.runtime.tiling.RasterSource;

/**
 * A raster whose alpha band or mask says where it has data: wherever it is 0 every band reads
 * NaN, the tiler's nodata (so those pixels never reach the statistics, the model nor an answer);
 * elsewhere values pass unchanged. Reads the alpha band beside each request (in the same read
 * when it is a band of the raster itself). Immutable.
 */
public final class AlphaMask extends ForwardingRaster {
  private final RasterSource mask;
  private final int alphaBand;

  /**
   * @param alphaBand the raster's alpha band, 0-based
   */
  AlphaMask(RasterSource raster, int alphaBand) {
    this(raster, raster, alphaBand);
  }

  /**
   * @param mask a raster of the same size whose band {@code maskBand} is 0 where {@code raster}
   *     has no data (a GeoTIFF's internal mask, for example)
   */
  public AlphaMask(RasterSource raster, RasterSource mask, int maskBand) {
    super(raster);
    if (mask.width() != raster.width() || mask.height() != raster.height()) {
      throw new IllegalArgumentException(
          "a mask of "
              + mask.width()
              + " x "
              + mask.height()
              + " for a raster of "
              + raster.width()
              + " x "
              + raster.height());
    }
    this.mask = mask;
    this.alphaBand = maskBand;
  }

  @Override
  public void read(int x, int y, int width, int height, int[] bands, float[] dest)
      throws IOException {
    int plane = width * height;
    float[] all;
    if (mask == raster) {
      int[] withAlpha = java.util.Arrays.copyOf(bands, bands.length + 1);
      withAlpha[bands.length] = alphaBand;
      all = new float[withAlpha.length * plane];
      raster.read(x, y, width, height, withAlpha, all);
    } else {
      all = new float[(bands.length + 1) * plane];
      raster.read(x, y, width, height, bands, all);
      float[] alphaValues = new float[plane];
      mask.read(x, y, width, height, new int[] {alphaBand}, alphaValues);
      System.arraycopy(alphaValues, 0, all, bands.length * plane, plane);
    }
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
