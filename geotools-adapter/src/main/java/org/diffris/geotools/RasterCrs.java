package org.diffris.geotools;

import javax.measure.Unit;
import javax.measure.quantity.Length;
import org.diffris.pipeline.InvalidInputException;
import org.diffris.vectorizer.AreaModel;
import org.geotools.api.referencing.FactoryException;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.geotools.api.referencing.crs.EngineeringCRS;
import org.geotools.api.referencing.crs.GeographicCRS;
import org.geotools.referencing.CRS;
import tech.units.indriya.unit.Units;

/**
 * What the pipeline needs to know about a raster's CRS: its EPSG code (output layers must have
 * one: GeoServer's {@code gs:Import} and WFS clients name CRSs by code), how to measure areas in
 * square metres (geodesic on WGS84 for geographic CRSs, planar with the axis unit in metres
 * otherwise), and the CRS the output features are declared in (the same CRS with x = east /
 * longitude, the order the polygons are written in). Immutable.
 */
public final class RasterCrs {
  private final CoordinateReferenceSystem crs;
  private final int epsgCode;
  private final AreaModel areaModel;

  private RasterCrs(CoordinateReferenceSystem crs, int epsgCode, AreaModel areaModel) {
    this.crs = crs;
    this.epsgCode = epsgCode;
    this.areaModel = areaModel;
  }

  /**
   * @throws InvalidInputException when the CRS is missing, matches no EPSG code, or has axes
   *     that are not lengths or degrees
   */
  public static RasterCrs of(CoordinateReferenceSystem crs) {
    if (crs == null || crs instanceof EngineeringCRS) { // engineering: GeoTools' stand-in for none
      throw new InvalidInputException(
          "the coverage has no coordinate reference system; assign "
              + "one with an EPSG code to the layer (e.g. EPSG:32633)");
    }
    Integer code;
    try {
      // Identifier look-up only: a full scan of the EPSG database takes close to a minute here
      // and GeoServer's layers carry their declared EPSG code anyway.
      code = CRS.lookupEpsgCode(crs, false);
    } catch (FactoryException e) {
      code = null;
    }
    if (code == null) {
      throw new InvalidInputException(
          "the coverage's CRS '"
              + crs.getName().getCode()
              + "' matches no EPSG code; the output layer needs one (gs:Import and WFS name CRSs by "
              + "code): declare an EPSG CRS for the layer in GeoServer or reproject the raster");
    }
    return new RasterCrs(crs, code, areaModel(crs));
  }

  /**
   * How areas in square metres are measured in {@code crs}: geodesic on the WGS84 ellipsoid for
   * a geographic CRS (degrees have no fixed length), planar with the axis unit converted to
   * metres otherwise (US survey feet, for example). The one place every host decides it, so they
   * report the same areas.
   *
   * @throws InvalidInputException when the horizontal axes are neither degrees nor a length
   */
  public static AreaModel areaModel(CoordinateReferenceSystem crs) {
    CoordinateReferenceSystem horizontal = CRS.getHorizontalCRS(crs);
    if (horizontal == null) {
      horizontal = crs;
    }
    if (horizontal instanceof GeographicCRS) {
      return AreaModel.geodesicWgs84();
    }
    Unit<?> unit = horizontal.getCoordinateSystem().getAxis(0).getUnit();
    if (unit == null || !unit.isCompatible(Units.METRE)) {
      throw new InvalidInputException(
          "the raster's CRS axis unit is not a length ("
              + unit
              + "): areas in square metres cannot be measured; use a projected or geographic CRS");
    }
    return AreaModel.planar(unit.asType(Length.class).getConverterTo(Units.METRE).convert(1.0));
  }

  public CoordinateReferenceSystem crs() {
    return crs;
  }

  public int epsgCode() {
    return epsgCode;
  }

  /** "EPSG:32633". */
  public String label() {
    return "EPSG:" + epsgCode;
  }

  /** True when the CRS lists northing or latitude first (EPSG:4326 as the EPSG database defines it). */
  public boolean isNorthFirst() {
    return CRS.getAxisOrder(crs) == CRS.AxisOrder.NORTH_EAST;
  }

  /** How region areas are measured in square metres. */
  public AreaModel areaModel() {
    return areaModel;
  }

  /** Length of one CRS unit in metres; NaN for geographic CRSs. */
  public double metresPerUnit() {
    return areaModel.metresPerUnit();
  }

  /**
   * The CRS the output features are declared in: the coverage's own, or for a north-first CRS
   * the same EPSG code with east first (the polygons are always written x = east).
   */
  public CoordinateReferenceSystem featureCrs() {
    if (!isNorthFirst()) {
      return crs;
    }
    try {
      return CRS.decode("EPSG:" + epsgCode, true);
    } catch (FactoryException e) {
      throw new InvalidInputException(
          "EPSG:" + epsgCode + " cannot be decoded with east first: " + e.getMessage(), e);
    }
  }
}
