package org.diffris.geotools;

import org.diffris.pipeline.InvalidInputException;
import org.geotools.api.referencing.FactoryException;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.geotools.referencing.CRS;

/**
 * How an output file names a raster's CRS: its EPSG code when one matches, and its WKT.
 *
 * <p>Not {@link RasterCrs#of}, on purpose: a file output can carry a CRS by its WKT
 * alone, so a CRS without a code is kept here and the slow full scan of the EPSG database (close
 * to a minute) is tried before giving up; a WPS result must have a code (gs:Import and WFS name
 * CRSs by code), and a server request must not scan for a minute, so the plugin looks the code
 * up by identifier only and refuses a CRS without one.
 *
 * @param epsgCode the EPSG code, or {@code null} when the CRS matches none
 * @param name a human-readable name
 * @param wkt the CRS as OGC WKT 1 (what GeoPackage's {@code definition} column holds)
 */
public record SpatialReference(Integer epsgCode, String name, String wkt) {

  /** Describes {@code crs}; a CRS without an EPSG match keeps its WKT. */
  public static SpatialReference of(CoordinateReferenceSystem crs) {
    Integer code;
    try {
      code = CRS.lookupEpsgCode(crs, false);
      if (code == null) {
        code = CRS.lookupEpsgCode(crs, true); // slower full scan, only when the quick look fails
      }
    } catch (FactoryException e) {
      code = null;
    }
    String wkt;
    try {
      wkt = crs.toWKT();
    } catch (UnsupportedOperationException e) {
      throw new InvalidInputException("raster's CRS cannot be written as WKT: " + crs.getName());
    }
    return new SpatialReference(code, crs.getName().getCode(), wkt);
  }

  /** "EPSG:32633", or the CRS name when there is no code. */
  public String label() {
    return epsgCode == null ? name : "EPSG:" + epsgCode;
  }
}
