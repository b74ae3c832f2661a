package org.diffris.cli.io;

import javax.measure.Unit;
import javax.measure.quantity.Length;
import org.diffris.cli.InputException;
import org.diffris.vectorizer.AreaModel;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.geotools.api.referencing.crs.GeographicCRS;
import org.geotools.referencing.CRS;
import tech.units.indriya.unit.Units;

/**
 * Chooses how areas in square metres are measured for a CRS: geodesic on the WGS84 ellipsoid for
 * geographic CRSs (degrees have no fixed length), planar for projected ones with the axis unit
 * converted to metres (US survey feet, for example).
 */
public final class AreaModels {
  private AreaModels() {}

  public static AreaModel forCrs(CoordinateReferenceSystem crs) throws InputException {
    CoordinateReferenceSystem horizontal = CRS.getHorizontalCRS(crs);
    if (horizontal == null) {
      horizontal = crs;
    }
    if (horizontal instanceof GeographicCRS) {
      return AreaModel.geodesicWgs84();
    }
    return AreaModel.planar(metresPerUnit(horizontal));
  }

  /** Length of one CRS axis unit in metres. */
  public static double metresPerUnit(CoordinateReferenceSystem crs) throws InputException {
    Unit<?> unit = crs.getCoordinateSystem().getAxis(0).getUnit();
    if (unit == null || !unit.isCompatible(Units.METRE)) {
      throw new InputException("raster's CRS axis unit is not a length (" + unit
          + "): cannot measure areas in square metres");
    }
    return unit.asType(Length.class).getConverterTo(Units.METRE).convert(1.0);
  }
}
