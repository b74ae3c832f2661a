package org.diffris.geotools;

import java.util.ArrayList;
import java.util.List;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.CoordinateFilter;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.util.AffineTransformation;
import org.locationtech.jts.operation.overlayng.OverlayNG;
import org.locationtech.jts.operation.overlayng.OverlayNGRobust;

/**
 * Cuts longitude/latitude polygons at the antimeridian, as RFC 7946 §3.1.9 asks of GeoJSON.
 *
 * <p>A polygon reprojected from a CRS whose area spans 180° (UTM zones 1 and 60, polar
 * projections, a geographic raster running past 180°) comes back from the reprojection with
 * longitudes that either jump from 179.99 to -179.99 between neighbouring vertices (read
 * literally, an edge around the whole globe) or run past 180. Each ring is first made continuous
 * ("unwrapped": a vertex's longitude moved by whole turns to within 180° of the one before), then
 * the polygon is cut into the pieces that lie in each 360° window and every piece is moved into
 * [-180, 180].
 *
 * <p>A ring around a pole unwraps to a line a full turn long; its region is closed along the
 * pole's latitude, which is what such a ring encloses on the sphere. Holes are cut the same way
 * and removed from the cut shell, so an annulus around a pole stays one.
 *
 * <p>Invariants: every longitude of the result lies in [-180, 180] and no edge spans more than
 * 180° of longitude, except one along a pole's latitude (the pole itself, closing a polar cap); the pieces, moved back by their whole turns, cover the unwrapped polygon
 * exactly (cuts add vertices on the meridian, by linear interpolation in longitude/latitude, which
 * is how GeoJSON draws edges); a polygon that needs no cut is returned as it is, the same object.
 */
final class AntimeridianCut {
  private static final double POLE_MARGIN = 1; // the windows reach past the poles' latitudes

  private final GeometryFactory factory;

  AntimeridianCut(GeometryFactory factory) {
    this.factory = factory;
  }

  /** {@code lonLat} (a Polygon or MultiPolygon, longitude first), cut where it needs it. */
  Geometry apply(Geometry lonLat) {
    if (!needsCut(lonLat)) {
      return lonLat;
    }
    List<Polygon> parts = new ArrayList<>();
    for (int i = 0; i < lonLat.getNumGeometries(); i++) {
      Polygon polygon = (Polygon) lonLat.getGeometryN(i);
      addPolygons(needsCut(polygon) ? cut(polygon) : polygon, parts);
    }
    return parts.size() == 1
        ? parts.get(0)
        : factory.createMultiPolygon(parts.toArray(new Polygon[0]));
  }

  /** Whether some longitude lies outside [-180, 180] or some edge spans more than 180°. */
  static boolean needsCut(Geometry lonLat) {
    for (int i = 0; i < lonLat.getNumGeometries(); i++) {
      Polygon polygon = (Polygon) lonLat.getGeometryN(i);
      if (needsCut(polygon.getExteriorRing().getCoordinates())) {
        return true;
      }
      for (int h = 0; h < polygon.getNumInteriorRing(); h++) {
        if (needsCut(polygon.getInteriorRingN(h).getCoordinates())) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean needsCut(Coordinate[] ring) {
    for (int i = 0; i < ring.length; i++) {
      if (Math.abs(ring[i].x) > 180
          || i > 0
              && Math.abs(ring[i].x - ring[i - 1].x) > 180
              && !alongAPole(ring[i - 1], ring[i])) {
        return true;
      }
    }
    return false;
  }

  /** An edge along latitude ±90 is the pole itself, a point, however long it is in longitude. */
  private static boolean alongAPole(Coordinate a, Coordinate b) {
    return Math.abs(a.y) == 90 && a.y == b.y;
  }

  private Geometry cut(Polygon polygon) {
    Geometry shell = intoOneTurn(region(polygon.getExteriorRing().getCoordinates()));
    if (polygon.getNumInteriorRing() == 0) {
      return shell;
    }
    List<Geometry> holes = new ArrayList<>();
    for (int i = 0; i < polygon.getNumInteriorRing(); i++) {
      holes.add(intoOneTurn(region(polygon.getInteriorRingN(i).getCoordinates())));
    }
    return OverlayNGRobust.overlay(shell, OverlayNGRobust.union(holes), OverlayNG.DIFFERENCE);
  }

  /** The area a ring encloses, with continuous longitudes (possibly beyond ±180). */
  private Polygon region(Coordinate[] ring) {
    List<Coordinate> unwrapped = new ArrayList<>(ring.length + 4);
    double previous = ring[0].x;
    for (Coordinate c : ring) {
      double x = c.x + 360 * Math.rint((previous - c.x) / 360);
      unwrapped.add(new Coordinate(x, c.y));
      previous = x;
    }
    double turn = unwrapped.get(unwrapped.size() - 1).x - unwrapped.get(0).x;
    if (Math.abs(turn) > 180) {
      unwrapped = aroundThePole(unwrapped, turn);
    }
    return factory.createPolygon(unwrapped.toArray(new Coordinate[0]));
  }

  /**
   * A ring around a pole, unwrapped into a line one {@code turn} long, as the region it encloses:
   * started where it crosses a meridian ±180 (a vertex added there), so the seam where its ends
   * meet lies on the antimeridian, and closed along the pole's latitude.
   */
  private static List<Coordinate> aroundThePole(List<Coordinate> unwrapped, double turn) {
    int n = unwrapped.size() - 1; // the last vertex repeats the first, a turn away
    int edge = 0;
    double meridian = 0;
    for (; edge < n; edge++) {
      double a = unwrapped.get(edge).x;
      double b = unwrapped.get(edge + 1).x;
      meridian = 180 + 360 * Math.floor((Math.max(a, b) - 180) / 360);
      if (Math.min(a, b) <= meridian && meridian < Math.max(a, b)) {
        break;
      }
    }
    Coordinate a = unwrapped.get(edge);
    Coordinate b = unwrapped.get(edge + 1);
    double y = a.y + (b.y - a.y) * (meridian - a.x) / (b.x - a.x);
    List<Coordinate> region = new ArrayList<>(n + 4);
    region.add(new Coordinate(meridian, y));
    for (int i = edge + 1; i <= n; i++) {
      region.add(unwrapped.get(i));
    }
    for (int i = 1; i <= edge; i++) {
      Coordinate c = unwrapped.get(i);
      region.add(new Coordinate(c.x + turn, c.y));
    }
    double pole = Math.copySign(90, y);
    region.add(new Coordinate(meridian + turn, y));
    region.add(new Coordinate(meridian + turn, pole));
    region.add(new Coordinate(meridian, pole));
    region.add(new Coordinate(meridian, y));
    return region;
  }

  /** The parts of {@code region} in each 360° window, each moved into [-180, 180]. */
  private Geometry intoOneTurn(Polygon region) {
    Envelope e = region.getEnvelopeInternal();
    long firstTurn = (long) Math.floor((e.getMinX() + 180) / 360);
    long lastTurn = (long) Math.ceil((e.getMaxX() - 180) / 360);
    if (firstTurn == lastTurn) {
      return clampLongitudes(shift(region, -360.0 * firstTurn));
    }
    List<Polygon> pieces = new ArrayList<>();
    for (long turn = firstTurn; turn <= lastTurn; turn++) {
      double west = -180 + 360.0 * turn;
      Polygon window =
          (Polygon)
              factory.toGeometry(
                  new Envelope(west, west + 360, -90 - POLE_MARGIN, 90 + POLE_MARGIN));
      Geometry piece = OverlayNGRobust.overlay(region, window, OverlayNG.INTERSECTION);
      addPolygons(clampLongitudes(shift(piece, -360.0 * turn)), pieces);
    }
    return factory.createMultiPolygon(pieces.toArray(new Polygon[0]));
  }

  private static Geometry shift(Geometry g, double dx) {
    return dx == 0 ? g : AffineTransformation.translationInstance(dx, 0).transform(g);
  }

  /** Cut points computed on ±180 may come out a rounding error beyond it. */
  private static Geometry clampLongitudes(Geometry g) {
    g.apply(
        (CoordinateFilter)
            c -> {
              c.x = Math.max(-180, Math.min(180, c.x));
            });
    g.geometryChanged();
    return g;
  }

  private static void addPolygons(Geometry g, List<Polygon> into) {
    for (int i = 0; i < g.getNumGeometries(); i++) {
      if (g.getGeometryN(i) instanceof Polygon p && !p.isEmpty()) {
        into.add(p);
      }
    }
  }
}
