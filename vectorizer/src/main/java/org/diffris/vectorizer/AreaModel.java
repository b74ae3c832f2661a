package org.diffris.vectorizer;

import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.Polygon;

/**
 * How region areas are measured in square metres.
 *
 * <ul>
 *   <li>{@link #planar(double)}: the CRS is projected; area = planar area in CRS units squared
 *       times {@code metresPerUnit²}.</li>
 *   <li>{@link #geodesicWgs84()}: coordinates are longitude/latitude in degrees on WGS84 (x =
 *       longitude). Area is measured on the ellipsoid through its authalic (equal-area) sphere:
 *       each vertex is mapped to the cylindrical equal-area projection of that sphere and the
 *       planar area is taken there. This is exact for edges along parallels and meridians, so for
 *       pixel-exact polygons of a north-up longitude/latitude raster; for other edges it treats
 *       them as straight in that projection (error negligible at pixel scale). A 1 x 1 degree
 *       cell at the equator measures 12,308.46 km² (agrees with numerical integration of the
 *       ellipsoid's area element; often quoted as about 12,308.8 km²).</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class AreaModel {

  /** WGS84 semi-major axis in metres. */
  private static final double A = 6378137.0;

  /** WGS84 flattening. */
  private static final double F = 1 / 298.257223563;

  private static final double E2 = F * (2 - F);
  private static final double E = Math.sqrt(E2);

  private final boolean geodesic;
  private final double metresPerUnit;

  private AreaModel(boolean geodesic, double metresPerUnit) {
    this.geodesic = geodesic;
    this.metresPerUnit = metresPerUnit;
  }

  /** Projected CRS whose unit is {@code metresPerUnit} metres (1 for metres, 0.3048 for feet). */
  public static AreaModel planar(double metresPerUnit) {
    if (!(metresPerUnit > 0) || Double.isInfinite(metresPerUnit)) {
      throw new IllegalArgumentException(
          "metres per CRS unit must be a positive finite number, got " + metresPerUnit);
    }
    return new AreaModel(false, metresPerUnit);
  }

  /** Longitude/latitude in degrees on the WGS84 ellipsoid. */
  public static AreaModel geodesicWgs84() {
    return new AreaModel(true, Double.NaN);
  }

  /** Whether areas are measured on the WGS84 ellipsoid. */
  public boolean isGeodesic() {
    return geodesic;
  }

  /** Metres per CRS unit of a planar model; {@code NaN} for the geodesic model. */
  public double metresPerUnit() {
    return metresPerUnit;
  }

  /** Area in square metres of a polygonal geometry (Polygon or MultiPolygon) in world units. */
  public double areaSquareMetres(Geometry geometry) {
    if (!geodesic) {
      return geometry.getArea() * metresPerUnit * metresPerUnit;
    }
    double sum = 0;
    for (int i = 0; i < geometry.getNumGeometries(); i++) {
      Geometry part = geometry.getGeometryN(i);
      if (part instanceof Polygon polygon) {
        double shell = Math.abs(signedEqualAreaSum(polygon.getExteriorRing()));
        double holes = 0;
        for (int h = 0; h < polygon.getNumInteriorRing(); h++) {
          holes += Math.abs(signedEqualAreaSum(polygon.getInteriorRingN(h)));
        }
        sum += shell - holes;
      }
    }
    return sum;
  }

  /** Area on the ellipsoid of the cell between two meridians and two parallels (degrees). */
  public static double wgs84CellArea(double lon1, double lat1, double lon2, double lat2) {
    return Math.abs(Math.toRadians(lon2 - lon1) * (A * A / 2) * (q(lat2) - q(lat1)));
  }

  private static double signedEqualAreaSum(LineString ring) {
    int n = ring.getNumPoints();
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = ring.getCoordinateSequence().getX(i);
      y[i] = ring.getCoordinateSequence().getY(i);
    }
    return signedEqualArea(x, y, n);
  }

  /**
   * Signed area in square metres of the closed ring (lon, lat in degrees; the last vertex may
   * repeat the first), positive when counter-clockwise in lon/lat.
   */
  static double signedEqualArea(double[] lon, double[] lat, int n) {
    // Cylindrical equal-area on the authalic sphere: X = lambda, Y = (a²/2) q(phi); the area
    // element dX dY is the ellipsoid's area element.
    double sum = 0;
    double x0 = Math.toRadians(lon[n - 1]);
    double y0 = q(lat[n - 1]);
    for (int i = 0; i < n; i++) {
      double x1 = Math.toRadians(lon[i]);
      double y1 = q(lat[i]);
      sum += (x0 - x1) * (y0 + y1);
      x0 = x1;
      y0 = y1;
    }
    return sum * 0.5 * (A * A / 2);
  }

  /** Authalic function q(phi) of the ellipsoid (Snyder 3-12), phi in degrees. */
  static double q(double latDegrees) {
    double s = Math.sin(Math.toRadians(latDegrees));
    double es = E * s;
    return (1 - E2) * (s / (1 - es * es) - (1 / (2 * E)) * Math.log((1 - es) / (1 + es)));
  }

  @Override
  public String toString() {
    return geodesic
        ? "AreaModel[geodesic WGS84]"
        : "AreaModel[planar, " + metresPerUnit + " m/unit]";
  }
}
