package org.diffris.pipeline;

import org.diffris.runtime.tiling.RasterSource;
import org.diffris.vectorizer.AreaModel;
import org.diffris.vectorizer.PixelToWorld;

/**
 * A georeferenced raster as the pipeline takes it, in plain values a host makes from its own
 * raster type (a GeoTIFF, a coverage, a window of either).
 *
 * @param source the pixels; its pixel (0, 0) is the raster's (or window's) first pixel
 * @param pixelToWorld pixel corners to world coordinates, x = east / longitude
 * @param areaModel how the raster's CRS measures areas in square metres
 * @param eightBit whether the samples are 8-bit (fed with the model's own scaling)
 * @param srid the CRS's EPSG code given to the output geometries, 0 when it has none
 */
public record RasterInput(
    RasterSource source,
    PixelToWorld pixelToWorld,
    AreaModel areaModel,
    boolean eightBit,
    int srid) {

  public RasterInput {
    if (source == null || pixelToWorld == null || areaModel == null) {
      throw new IllegalArgumentException(
          "a raster input needs its source, pixel-to-world transform and area model");
    }
  }

  public int width() {
    return source.width();
  }

  public int height() {
    return source.height();
  }
}
