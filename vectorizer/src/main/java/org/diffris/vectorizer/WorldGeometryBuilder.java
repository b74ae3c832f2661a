package org.diffris.vectorizer;

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
 * absence of collinear vertices carry over from pixel space; a negative determinant only flips
 * ring orientation, which {@link Geometry#normalize()} later makes uniform.
 */
final class WorldGeometryBuilder {

  private final PixelToWorld t;
  private final GeometryFactory factory;
  private final CoordinateSequenceFactory sequences;

  WorldGeometryBuilder(PixelToWorld t, GeometryFactory factory) {
    this.t = t;
    this.factory = factory;
    this.sequences = factory.getCoordinateSequenceFactory();
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
    return factory.createMultiPolygon(polygons);
  }

  Polygon polygon(PartShape part) {
    LinearRing[] holes = new LinearRing[part.holes.length];
    for (int h = 0; h < holes.length; h++) {
      holes[h] = ring(part.holes[h]);
    }
    return factory.createPolygon(ring(part.shell), holes);
  }

  private LinearRing ring(int[] xy) {
    int n = xy.length / 2;
    CoordinateSequence seq = sequences.create(n + 1, 2);
    for (int i = 0; i < n; i++) {
      int col = xy[2 * i];
      int row = xy[2 * i + 1];
      seq.setOrdinate(i, 0, t.x(col, row));
      seq.setOrdinate(i, 1, t.y(col, row));
    }
    seq.setOrdinate(n, 0, seq.getOrdinate(0, 0));
    seq.setOrdinate(n, 1, seq.getOrdinate(0, 1));
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
