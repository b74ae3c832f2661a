package org.diffris.pipeline;

import java.util.List;
import org.diffris.runtime.tiling.RasterSource;
import org.diffris.vectorizer.AreaModel;
import org.diffris.vectorizer.PixelBounds;
import org.diffris.vectorizer.PixelToWorld;

/**
 * A georeferenced raster as the pipeline takes it, in plain values a host makes from its own
 * raster type (a GeoTIFF, a coverage, a window of either).
 *
 * @param source the pixels; its pixel (0, 0) is the raster's (or window's) first pixel; a
 *     floating-point source is read with its infinite values as NaN, missing data ({@link
 *     FiniteValues})
 * @param pixelToWorld pixel corners to world coordinates, x = east / longitude
 * @param areaModel how the raster's CRS measures areas in square metres
 * @param sampleType how the samples are stored (decides the value scaling)
 * @param bandRoles what the raster says each band holds, one per band, or empty when it says
 *     nothing (decides the default bands and the alpha mask)
 * @param srid the CRS's EPSG code given to the output geometries, 0 when it has none
 */
public record RasterInput(
    RasterSource source,
    PixelToWorld pixelToWorld,
    AreaModel areaModel,
    SampleType sampleType,
    List<BandRole> bandRoles,
    int srid) {

  public RasterInput {
    if (source == null || pixelToWorld == null || areaModel == null || sampleType == null) {
      throw new IllegalArgumentException(
          "a raster input needs its source, pixel-to-world transform, area model and sample type");
    }
    if (sampleType.kind() == SampleType.Kind.FLOAT && !(source instanceof FiniteValues)) {
      source = new FiniteValues(source);
    }
    bandRoles = List.copyOf(bandRoles);
    if (!bandRoles.isEmpty() && bandRoles.size() != source.bandCount()) {
      throw new IllegalArgumentException(
          bandRoles.size() + " band roles for " + source.bandCount() + " bands");
    }
  }

  /**
   * The ground this raster covers, square kilometres: the area of its four corners' polygon,
   * measured as its regions are ({@link AreaModel}).
   */
  public double squareKilometres() {
    PixelToWorld t = pixelToWorld;
    int w = width();
    int h = height();
    org.locationtech.jts.geom.Coordinate[] corners = {
      new org.locationtech.jts.geom.Coordinate(t.x(0, 0), t.y(0, 0)),
      new org.locationtech.jts.geom.Coordinate(t.x(w, 0), t.y(w, 0)),
      new org.locationtech.jts.geom.Coordinate(t.x(w, h), t.y(w, h)),
      new org.locationtech.jts.geom.Coordinate(t.x(0, h), t.y(0, h)),
      new org.locationtech.jts.geom.Coordinate(t.x(0, 0), t.y(0, 0))
    };
    return areaModel.areaSquareMetres(
            new org.locationtech.jts.geom.GeometryFactory().createPolygon(corners))
        / 1e6;
  }

  /**
   * A rectangle of this raster as a raster of its own: pixel (0, 0) is the rectangle's corner, and
   * its georeferencing is this one's moved there (as a GDAL crop computes it).
   *
   * @throws IllegalArgumentException when the rectangle is empty or not inside the raster
   */
  public RasterInput window(PixelBounds window) {
    return new RasterInput(
        windowOf(source, window), pixelToWorldOf(window), areaModel, sampleType, bandRoles, srid);
  }

  /** The pixels of a rectangle of this raster's pixels, read from {@code pixels}. */
  RasterSource windowOf(RasterSource pixels, PixelBounds window) {
    if (window.minColumn() < 0
        || window.minRow() < 0
        || window.maxColumn() > width()
        || window.maxRow() > height()
        || window.minColumn() >= window.maxColumn()
        || window.minRow() >= window.maxRow()) {
      throw new IllegalArgumentException(
          "window "
              + window
              + " is not a rectangle inside the "
              + width()
              + " x "
              + height()
              + " raster");
    }
    return new WindowSource(pixels, window);
  }

  private PixelToWorld pixelToWorldOf(PixelBounds window) {
    PixelToWorld t = pixelToWorld;
    return new PixelToWorld(
        t.x(window.minColumn(), window.minRow()),
        t.pixelWidth(),
        t.rowRotation(),
        t.y(window.minColumn(), window.minRow()),
        t.colRotation(),
        t.pixelHeight());
  }

  /** Whether the samples are plain 8-bit, fed with the model's own scaling by default. */
  public boolean eightBit() {
    return sampleType.isEightBit();
  }

  /** The alpha band, 0-based, or -1 when the raster has none. */
  public int alphaBand() {
    return bandRoles.indexOf(BandRole.ALPHA);
  }

  public int width() {
    return source.width();
  }

  public int height() {
    return source.height();
  }
}
