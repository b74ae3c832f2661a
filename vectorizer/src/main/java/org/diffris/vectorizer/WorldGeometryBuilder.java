package org.diffris.vectorizer;

import java.util.Arrays;
import java.util.List;
import org.locationtech.jts.geom.CoordinateSequence;
import org.locationtech.jts.geom.CoordinateSequenceFactory;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Polygon;

/**
 * Maps pixel-space part shapes through the affine {@link PixelToWorld} into JTS geometries made
 * by the caller's {@link GeometryFactory} (which carries the SRID and the coordinate sequence
 * implementation), and measures them with the geodesic area model.
 *
 * <p>An affine map keeps straight lines straight and incidence intact, so validity and the
 * absence of collinear vertices carry over from pixel space. Geometries come out already in
 * {@link Geometry#normalize()} form (each ring starts at its smallest coordinate, shells
 * clockwise, holes counter-clockwise, holes and parts sorted), which saves a second pass: shells
 * have positive shoelace area in pixel space, so the world orientation of every ring follows
 * from the sign of the transform's determinant.
 */
final class WorldGeometryBuilder {

  private final PixelToWorld t;
  private final GeometryFactory factory;
  private final CoordinateSequenceFactory sequences;

  /** Pixel-space orientation must be reversed to get clockwise shells in world space. */
  private final boolean reverse;

  WorldGeometryBuilder(PixelToWorld t, GeometryFactory factory) {
    this.t = t;
    this.factory = factory;
    this.sequences = factory.getCoordinateSequenceFactory();
    this.reverse = t.determinant() > 0;
  }

  /** A Polygon for one part, a MultiPolygon for several (parts touching at points only). */
  Geometry region(List<PartShape> parts) {
    if (parts.size() == 1) {
      return polygon(parts.get(0));
    }
    Polygon[] polygons = new Polygon[parts.size()];
    for (int i = 0; i < polygons.length; i++) {
      polygons[i] = polygon(parts.get(i));
    }
    Arrays.sort(polygons);
    return factory.createMultiPolygon(polygons);
  }

  Polygon polygon(PartShape part) {
    LinearRing[] holes = new LinearRing[part.holes.length];
    for (int h = 0; h < holes.length; h++) {
      holes[h] = ring(part.holes[h]);
    }
    if (holes.length > 1) {
      Arrays.sort(holes);
    }
    return factory.createPolygon(ring(part.shell), holes);
  }

  /** A ring in normalized form: starts at its smallest (x, then y) vertex, oriented. */
  private LinearRing ring(int[] xy) {
    int n = xy.length / 2;
    double[] x = new double[n];
    double[] y = new double[n];
    int min = 0;
    for (int i = 0; i < n; i++) {
      int col = xy[2 * i];
      int row = xy[2 * i + 1];
      x[i] = t.x(col, row);
      y[i] = t.y(col, row);
      if (x[i] < x[min] || (x[i] == x[min] && y[i] < y[min])) {
        min = i;
      }
    }
    CoordinateSequence seq = sequences.create(n + 1, 2);
    for (int k = 0; k < n; k++) {
      int i = reverse ? (min - k + n) % n : (min + k) % n;
      seq.setOrdinate(k, 0, x[i]);
      seq.setOrdinate(k, 1, y[i]);
    }
    seq.setOrdinate(n, 0, x[min]);
    seq.setOrdinate(n, 1, y[min]);
    return factory.createLinearRing(seq);
  }

  /** Area in square metres of a part whose world coordinates are lon/lat degrees on WGS84. */
  double geodesicArea(PartShape part) {
    double area = Math.abs(geodesicSigned(part.shell));
    for (int[] hole : part.holes) {
      area -= Math.abs(geodesicSigned(hole));
    }
    return area;
  }

  private double geodesicSigned(int[] xy) {
    int n = xy.length / 2;
    double[] lon = new double[n];
    double[] lat = new double[n];
    for (int i = 0; i < n; i++) {
      lon[i] = t.x(xy[2 * i], xy[2 * i + 1]);
      lat[i] = t.y(xy[2 * i], xy[2 * i + 1]);
    }
    return AreaModel.signedEqualArea(lon, lat, n);
  }
}
