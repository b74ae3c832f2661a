package org.diffris.geotools;

import java.util.Map;
import org.diffris.pipeline.InvalidInputException;
import org.geotools.api.referencing.FactoryException;
import org.geotools.api.referencing.IdentifiedObject;
import org.geotools.api.referencing.ReferenceIdentifier;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.geotools.api.referencing.crs.ProjectedCRS;
import org.geotools.referencing.CRS;
import org.geotools.referencing.ReferencingFactoryFinder;
import org.geotools.referencing.cs.DefaultCartesianCS;
import org.geotools.referencing.operation.DefiningConversion;

/**
 * How an output file names a raster's CRS: its EPSG code when one matches, and its WKT.
 *
 * <p>Not {@link RasterCrs#of}, on purpose: a file output can carry a CRS by its WKT
 * alone, so a CRS without a code is kept here and the slow full scan of the EPSG database (close
 * to a minute) is tried before giving up; a WPS result must have a code (gs:Import and WFS name
 * CRSs by code), and a server request must not scan for a minute, so the plugin looks the code
 * up by identifier only and refuses a CRS without one.
 *
 * <p>The WKT is WKT 1 as GDAL reads it (GeoPackage's {@code definition} column), which GeoTools'
 * own formatter does not always give: see {@link #wktOf}.
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
    return new SpatialReference(code, crs.getName().getCode(), wktOf(crs));
  }

  /**
   * {@code crs} as WKT 1, with two repairs GeoTools' formatter needs for polar CRSs (EPSG:3031,
   * 3995, 3413, 5041, 6931 and the like):
   *
   * <ul>
   *   <li>Their EPSG axes point "North along 90 deg East", which WKT 1 cannot say, so GeoTools
   *       refuses to format them. The coordinates in a GeoTIFF and in a GeoPackage are easting
   *       then northing whatever the axes are called, so the WKT says {@code EAST, NORTH}: the
   *       same numbers, the form GDAL itself writes for these CRSs.
   *   <li>GeoTools names Polar Stereographic variant B (EPSG method 9829) by its EPSG name, which
   *       GDAL's WKT 1 reader does not know: it reads a stereographic projection centred on the
   *       north pole with true scale at the equator, kilometres off. WKT 1 as GDAL writes it calls
   *       it {@code Polar_Stereographic}, with the standard parallel as {@code
   *       latitude_of_origin}.
   * </ul>
   */
  static String wktOf(CoordinateReferenceSystem crs) {
    String wkt;
    try {
      wkt = crs.toWKT();
    } catch (UnsupportedOperationException unformattable) {
      if (!(crs instanceof ProjectedCRS projected)) {
        throw cannotWrite(crs);
      }
      try {
        wkt = withEastNorthAxes(projected).toWKT();
      } catch (FactoryException | UnsupportedOperationException e) {
        throw cannotWrite(crs);
      }
    }
    return gdalPolarStereographic(wkt);
  }

  private static ProjectedCRS withEastNorthAxes(ProjectedCRS crs) throws FactoryException {
    var conversion = crs.getConversionFromBase();
    return ReferencingFactoryFinder.getCRSFactory(null)
        .createProjectedCRS(
            Map.of(
                IdentifiedObject.NAME_KEY, crs.getName(),
                IdentifiedObject.IDENTIFIERS_KEY,
                    crs.getIdentifiers().toArray(new ReferenceIdentifier[0])),
            crs.getBaseCRS(),
            new DefiningConversion(conversion.getName().getCode(), conversion.getParameterValues()),
            DefaultCartesianCS.PROJECTED);
  }

  private static final String VARIANT_B = "PROJECTION[\"Polar Stereographic (variant B)\"";

  private static String gdalPolarStereographic(String wkt) {
    if (!wkt.contains(VARIANT_B)) {
      return wkt;
    }
    return wkt.replace(VARIANT_B, "PROJECTION[\"Polar_Stereographic\"")
        .replace("PARAMETER[\"Standard_Parallel_1\"", "PARAMETER[\"latitude_of_origin\"");
  }

  private static InvalidInputException cannotWrite(CoordinateReferenceSystem crs) {
    return new InvalidInputException(
        "raster's CRS cannot be written as WKT: "
            + crs.getName()
            + "; reproject the raster with gdalwarp -t_srs EPSG:<code> to a CRS with an EPSG code");
  }

  /** "EPSG:32633", or the CRS name when there is no code. */
  public String label() {
    return epsgCode == null ? name : "EPSG:" + epsgCode;
  }
}
