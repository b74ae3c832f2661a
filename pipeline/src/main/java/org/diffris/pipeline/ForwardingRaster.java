package org.diffris.pipeline;

import java.util.OptionalDouble;
import org.diffris.runtime.tiling.RasterSource;

/**
 * A raster that reads another and changes only what {@link #read} gives (an index mapping, a
 * value rule, a mask): size, bands and nodata are the wrapped raster's.
 */
abstract class ForwardingRaster implements RasterSource {
  protected final RasterSource raster;

  ForwardingRaster(RasterSource raster) {
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
    return raster.nodata(band);
  }
}
