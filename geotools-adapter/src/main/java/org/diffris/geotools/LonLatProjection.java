package org.diffris.geotools;

import java.awt.geom.AffineTransform;
import org.diffris.pipeline.InvalidInputException;
import org.geotools.api.referencing.FactoryException;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.geotools.api.referencing.operation.MathTransform;
import org.geotools.api.referencing.operation.TransformException;
import org.geotools.geometry.jts.JTS;
import org.geotools.referencing.CRS;
import org.geotools.referencing.crs.DefaultGeographicCRS;
import org.geotools.referencing.operation.transform.ConcatenatedTransform;
import org.geotools.referencing.operation.transform.ProjectiveTransform;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;

/**
 * Regions from a raster's CRS to WGS84 longitude, latitude (x = longitude), as GeoJSON (RFC 7946)
 * and GeoParquet's default CRS (OGC:CRS84) want them: vertex by vertex, edges not densified (a
 * long straight pixel edge stays straight), and a polygon that crosses the antimeridian cut there
 * into a MultiPolygon with every longitude within [-180, 180] ({@link AntimeridianCut}). Not
 * thread-safe (one per writer or task).
 */
public final class LonLatProjection {
  private final MathTransform toLonLat;
  private final AntimeridianCut antimeridian = new AntimeridianCut(new GeometryFactory());

  /**
   * @param sourceCrs the CRS of the regions, whose coordinates are in (east, north) order whatever
   *     order the CRS declares
   * @throws InvalidInputException when the CRS cannot be reprojected to WGS84
   */
  public LonLatProjection(CoordinateReferenceSystem sourceCrs) {
    try {
      MathTransform transform = CRS.findMathTransform(sourceCrs, DefaultGeographicCRS.WGS84, true);
      if (CRS.getAxisOrder(sourceCrs) == CRS.AxisOrder.NORTH_EAST) {
        // Regions hold (east, north); the CRS expects (north, east) first.
        transform =
            ConcatenatedTransform.create(
                ProjectiveTransform.create(new AffineTransform(0, 1, 1, 0, 0, 0)), transform);
      }
      this.toLonLat = transform;
    } catch (FactoryException e) {
      throw new InvalidInputException(
          "cannot reproject from the raster's CRS to WGS84 longitude/latitude: " + e.getMessage(),
          e);
    }
  }

  /**
   * The geometry in longitude, latitude (SRID 0: the caller's writer says which CRS it is).
   *
   * @throws TransformException when a vertex cannot be reprojected
   */
  public Geometry apply(Geometry g) throws TransformException {
    return antimeridian.apply(JTS.transform(g, toLonLat));
  }
}
