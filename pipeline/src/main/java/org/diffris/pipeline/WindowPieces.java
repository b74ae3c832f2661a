package org.diffris.pipeline;

import java.util.ArrayList;
import java.util.List;
import org.diffris.vectorizer.Connectivity;
import org.diffris.vectorizer.PixelBounds;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Dimension;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Location;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.index.strtree.STRtree;
import org.locationtech.jts.operation.union.UnaryUnionOp;

/**
 * Merges the pieces of objects cut by window cores back into whole objects: pieces are joined
 * when they meet across a core's side as the vectorizer's connectivity joins pixels (along an
 * edge at {@link Connectivity#FOUR}, at a corner too at {@link Connectivity#EIGHT}), and each
 * group becomes one piece with the union of their outlines and the sums of their pixels,
 * probabilities and areas.
 *
 * <p>Guarantee: for pieces cut from one raster's mask by a set of cores, the merged pieces are
 * that mask's regions: the same pixels, the outline in the vectorizer's form (vertices only at
 * pixel corners, none collinear, normalized), so {@link SegmentationPlan#region} gives the
 * geometry the whole raster gives. Exact, because outlines are in whole pixel coordinates.
 *
 * <p>Cost: an R-tree over the pieces' bounds, one relate per pair of touching bounds, one union
 * per merged group. Pieces never cut by a core side need not be given (they are whole already).
 */
public final class WindowPieces {
  private WindowPieces() {}

  /**
   * @param pieces pieces of one raster's objects in raster pixel coordinates
   * @param connectivity how the vectorizer joined pixels
   * @return one piece per object, none of them open, in no particular order
   */
  public static List<WindowPiece> merge(List<WindowPiece> pieces, Connectivity connectivity) {
    int n = pieces.size();
    int[] parent = new int[n];
    STRtree index = new STRtree();
    for (int i = 0; i < n; i++) {
      parent[i] = i;
      index.insert(pieces.get(i).pixelGeometry().getEnvelopeInternal(), i);
    }
    for (int i = 0; i < n; i++) {
      Geometry a = pieces.get(i).pixelGeometry();
      for (Object found : index.query(a.getEnvelopeInternal())) {
        int j = (Integer) found;
        if (j > i && joined(a, pieces.get(j).pixelGeometry(), connectivity)) {
          parent[root(parent, i)] = root(parent, j);
        }
      }
    }
    List<List<WindowPiece>> groups = new ArrayList<>();
    int[] groupOf = new int[n];
    java.util.Arrays.fill(groupOf, -1);
    for (int i = 0; i < n; i++) {
      int r = root(parent, i);
      if (groupOf[r] < 0) {
        groupOf[r] = groups.size();
        groups.add(new ArrayList<>());
      }
      groups.get(groupOf[r]).add(pieces.get(i));
    }
    List<WindowPiece> merged = new ArrayList<>(groups.size());
    for (List<WindowPiece> group : groups) {
      merged.add(merge(group));
    }
    return merged;
  }

  /** Whether two pieces from different cores are one object's. */
  private static boolean joined(Geometry a, Geometry b, Connectivity connectivity) {
    if (connectivity == Connectivity.EIGHT) {
      return a.intersects(b);
    }
    // Along an edge: their boundaries share a line, not only points.
    return a.relate(b).get(Location.BOUNDARY, Location.BOUNDARY) == Dimension.L;
  }

  private static int root(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  private static WindowPiece merge(List<WindowPiece> group) {
    long pixels = 0;
    double probabilities = 0;
    double area = 0;
    int minColumn = Integer.MAX_VALUE;
    int minRow = Integer.MAX_VALUE;
    int maxColumn = Integer.MIN_VALUE;
    int maxRow = Integer.MIN_VALUE;
    List<Geometry> outlines = new ArrayList<>(group.size());
    for (WindowPiece p : group) {
      pixels += p.pixels();
      probabilities += p.probabilitySum();
      area += p.areaSquareMetres();
      minColumn = Math.min(minColumn, p.bounds().minColumn());
      minRow = Math.min(minRow, p.bounds().minRow());
      maxColumn = Math.max(maxColumn, p.bounds().maxColumn());
      maxRow = Math.max(maxRow, p.bounds().maxRow());
      outlines.add(p.pixelGeometry());
    }
    Geometry outline =
        group.size() == 1
            ? group.get(0).pixelGeometry()
            : withoutCollinearVertices(union(outlines));
    return new WindowPiece(
        outline,
        pixels,
        probabilities,
        area,
        new PixelBounds(minColumn, minRow, maxColumn, maxRow),
        false);
  }

  private static Geometry union(List<Geometry> outlines) {
    return UnaryUnionOp.union(outlines);
  }

  /**
   * The same polygons without the vertices the cut left on straight edges. Exact: coordinates
   * are whole numbers, so the collinearity test is integer arithmetic.
   */
  static Geometry withoutCollinearVertices(Geometry polygonal) {
    GeometryFactory f = polygonal.getFactory();
    Polygon[] parts = new Polygon[polygonal.getNumGeometries()];
    for (int i = 0; i < parts.length; i++) {
      Polygon p = (Polygon) polygonal.getGeometryN(i);
      LinearRing[] holes = new LinearRing[p.getNumInteriorRing()];
      for (int h = 0; h < holes.length; h++) {
        holes[h] = f.createLinearRing(turns(p.getInteriorRingN(h).getCoordinates()));
      }
      parts[i] =
          f.createPolygon(f.createLinearRing(turns(p.getExteriorRing().getCoordinates())), holes);
    }
    return parts.length == 1 ? parts[0] : f.createMultiPolygon(parts);
  }

  /** The vertices of a closed ring where it turns, closed again. */
  private static Coordinate[] turns(Coordinate[] ring) {
    int n = ring.length - 1; // the last repeats the first
    List<Coordinate> kept = new ArrayList<>(n + 1);
    for (int i = 0; i < n; i++) {
      Coordinate prev = ring[(i + n - 1) % n];
      Coordinate at = ring[i];
      Coordinate next = ring[(i + 1) % n];
      long cross =
          (long) (at.x - prev.x) * (long) (next.y - at.y)
              - (long) (at.y - prev.y) * (long) (next.x - at.x);
      if (cross != 0) {
        kept.add(at);
      }
    }
    kept.add(kept.get(0));
    return kept.toArray(new Coordinate[0]);
  }
}
