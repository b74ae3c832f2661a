package org.diffris.geotools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.util.AffineTransformation;
import org.locationtech.jts.operation.overlayng.OverlayNGRobust;

class AntimeridianCutTest {
  private final GeometryFactory factory = new GeometryFactory();
  private final AntimeridianCut cut = new AntimeridianCut(factory);

  @Test
  void aPolygonThatDoesNotCrossIsReturnedAsItIs() {
    Polygon p = box(10, 20, 30, 40, 0);
    assertSame(p, cut.apply(p));
    Polygon atTheEdge = box(170, 180, -5, 5, 0);
    assertSame(atTheEdge, cut.apply(atTheEdge));
  }

  /**
   * Random polygons with holes, somewhere around 180°, wrapped as a reprojection gives them
   * (longitudes folded into [-180, 180], or left past 180): the cut keeps every longitude in
   * range, no edge spans the globe, the result is valid, and its pieces moved back by their turn
   * cover exactly the polygon as it lies on the sphere.
   */
  @Test
  void cutPiecesCoverTheUnwrappedPolygonExactly() {
    Random random = new Random(7);
    int crossing = 0;
    for (int trial = 0; trial < 300; trial++) {
      double centre = 170 + random.nextDouble() * 20; // 170 to 190: both sides of 180
      double latitude = -70 + random.nextDouble() * 140;
      Polygon onTheSphere = starWithHole(random, centre, latitude);
      boolean fold = random.nextBoolean();
      Geometry asReprojected = fold ? foldIntoRange(onTheSphere) : onTheSphere;

      Geometry result = cut.apply(asReprojected);

      assertTrue(result.isValid(), "invalid: " + result);
      for (Coordinate c : result.getCoordinates()) {
        assertTrue(c.x >= -180 && c.x <= 180, "longitude out of range: " + c.x);
      }
      assertFalse(AntimeridianCut.needsCut(result), "still crosses: " + result);
      Geometry movedBack = unfold(result, centre);
      double lost =
          OverlayNGRobust.overlay(movedBack, onTheSphere, 3 /* SYMDIFFERENCE */).getArea();
      assertTrue(lost < 1e-9 * onTheSphere.getArea(), "pieces differ by " + lost + " deg²");
      if (result.getNumGeometries() > 1) {
        crossing++;
      }
    }
    assertTrue(crossing > 50, "only " + crossing + " of 300 trials crossed 180°");
  }

  @Test
  void aRingAroundThePoleEnclosesThePole() {
    Polygon cap = circleAroundPole(80, 1);
    Geometry result = cut.apply(cap);
    assertTrue(result.isValid());
    for (double lon : new double[] {-179.9, -90, 0, 90, 179.9}) {
      assertTrue(result.contains(point(lon, 89.9)), "pole side missing at " + lon);
      assertFalse(result.contains(point(lon, 70)), "equator side included at " + lon);
    }
    assertFalse(AntimeridianCut.needsCut(result));
  }

  @Test
  void anAnnulusAroundThePoleKeepsItsHole() {
    Coordinate[] outer = circleAroundPole(-75, -1).getExteriorRing().getCoordinates();
    Coordinate[] inner = circleAroundPole(-85, -1).getExteriorRing().getCoordinates();
    Polygon annulus =
        factory.createPolygon(
            factory.createLinearRing(outer), new LinearRing[] {factory.createLinearRing(inner)});
    Geometry result = cut.apply(annulus);
    assertTrue(result.isValid());
    for (double lon : new double[] {-179.9, 0, 120, 179.9}) {
      assertTrue(result.contains(point(lon, -80)), "ring missing at " + lon);
      assertFalse(result.contains(point(lon, -88)), "hole filled at " + lon);
    }
    // The band between 75° and 85° south: 360° × 10°, less what the 64-gon's chords cut off.
    assertEquals(3600, result.getArea(), 3600 * 0.01);
  }

  private Polygon box(double x0, double x1, double y0, double y1, double dx) {
    return factory.createPolygon(
        new Coordinate[] {
          new Coordinate(x0 + dx, y0),
          new Coordinate(x1 + dx, y0),
          new Coordinate(x1 + dx, y1),
          new Coordinate(x0 + dx, y1),
          new Coordinate(x0 + dx, y0)
        });
  }

  /** A star-shaped polygon (up to 8° across) with a small square hole at its centre. */
  private Polygon starWithHole(Random random, double lon, double lat) {
    int n = 5 + random.nextInt(20);
    List<Coordinate> shell = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double angle = 2 * Math.PI * i / n;
      double radius = 1 + random.nextDouble() * 3;
      shell.add(new Coordinate(lon + radius * Math.cos(angle), lat + radius * Math.sin(angle)));
    }
    shell.add(new Coordinate(shell.get(0)));
    LinearRing hole =
        (LinearRing) box(lon - 0.5, lon + 0.5, lat - 0.5, lat + 0.5, 0).getExteriorRing();
    return factory.createPolygon(
        factory.createLinearRing(shell.toArray(new Coordinate[0])), new LinearRing[] {hole});
  }

  private Polygon circleAroundPole(double lat, int direction) {
    Coordinate[] ring = new Coordinate[65];
    for (int i = 0; i < 64; i++) {
      double lon = -180 + direction * 5.625 * i; // folded, as a reprojection gives it
      lon = lon - 360 * Math.floor((lon + 180) / 360);
      ring[i] = new Coordinate(lon, lat);
    }
    ring[64] = new Coordinate(ring[0]);
    return factory.createPolygon(ring);
  }

  private static Geometry foldIntoRange(Geometry g) {
    Geometry folded = g.copy();
    folded.apply(
        (org.locationtech.jts.geom.CoordinateFilter)
            c -> c.x = c.x - 360 * Math.floor((c.x + 180) / 360));
    folded.geometryChanged();
    return folded;
  }

  /** Moves each piece by a whole turn to lie within 180° of {@code centre}, then unions them. */
  private static Geometry unfold(Geometry pieces, double centre) {
    List<Geometry> moved = new ArrayList<>();
    for (int i = 0; i < pieces.getNumGeometries(); i++) {
      Geometry piece = pieces.getGeometryN(i);
      double x = piece.getCentroid().getX();
      double turn = Math.rint((centre - x) / 360);
      moved.add(AffineTransformation.translationInstance(360 * turn, 0).transform(piece));
    }
    return OverlayNGRobust.union(moved);
  }

  private org.locationtech.jts.geom.Point point(double lon, double lat) {
    return factory.createPoint(new Coordinate(lon, lat));
  }
}
