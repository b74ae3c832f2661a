package org.diffris.geotools;

import java.awt.image.Raster;
import java.io.IOException;
import org.diffris.runtime.tiling.RasterSource;

/** A GeoTIFF's internal mask as a one-band raster: 0 where the file has no data, 1 elsewhere. */
final class PackedMaskSource implements RasterSource {
  private final PackedSamples mask;

  PackedMaskSource(PackedSamples mask) {
    this.mask = mask;
  }

  @Override
  public int width() {
    return mask.width();
  }

  @Override
  public int height() {
    return mask.height();
  }

  @Override
  public int bandCount() {
    return 1;
  }

  @Override
  public void read(int x, int y, int width, int height, int[] bands, float[] dest)
      throws IOException {
    Raster rows = mask.readRows(y, height);
    float[] samples =
        rows.getSamples(rows.getMinX() + x, rows.getMinY(), width, height, 0, (float[]) null);
    for (int i = 0; i < bands.length; i++) {
      System.arraycopy(samples, 0, dest, i * width * height, width * height);
    }
  }
}
