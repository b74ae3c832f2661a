package org.diffris.geotools;

import java.awt.image.Raster;
import java.io.IOException;
import java.util.OptionalDouble;
import org.diffris.runtime.tiling.RasterSource;

/**
 * The model-runtime's view of a {@link GeoTiffRaster}: any band, any sample type, read as floats
 * through {@link GeoTiffRaster#readRows}, so a GeoTIFF opened without GeoTools (the fast path)
 * feeds the tiler too. The GeoTIFF nodata value applies to every band. Reads are called from one
 * thread at a time, as {@link RasterSource} promises.
 *
 * <p>Not model-runtime's {@code RenderedImageSource} (which the plugin uses over a coverage's
 * image): on the direct path there is no {@code RenderedImage}, only the TIFF decoder, which reads
 * whole rows; and a GeoTIFF has one nodata value for all bands, not one per band.
 */
final class GeoTiffRasterSource implements RasterSource {
  private final GeoTiffRaster raster;

  GeoTiffRasterSource(GeoTiffRaster raster) {
    this.raster = raster;
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
    Double value = raster.noData();
    return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
  }

  @Override
  public void read(int x, int y, int width, int height, int[] bands, float[] dest)
      throws IOException {
    Raster rows = raster.readRows(y, height);
    float[] samples = new float[width * height];
    for (int i = 0; i < bands.length; i++) {
      rows.getSamples(rows.getMinX() + x, rows.getMinY(), width, height, bands[i], samples);
      System.arraycopy(samples, 0, dest, i * width * height, width * height);
    }
  }
}
