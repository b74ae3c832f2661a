package org.diffris.pipeline;

import java.awt.geom.Rectangle2D;
import java.util.Arrays;
import org.diffris.vectorizer.PixelBounds;
import org.diffris.vectorizer.PixelToWorld;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.Polygonal;

/**
 * A polygon region of interest: pixels of a window whose centre lies outside the (multi)polygon
 * become nodata, so no polygon ever reaches outside it. The ROI is moved into pixel space once;
 * each row is then a scanline crossing the ring edges (even-odd rule, so holes and several
 * parts work), costing O(edges) per row, whatever the row's width. A {@link #window} of it
 * computes every crossing in the whole raster's pixels, as the whole does, so it clears exactly
 * the pixels the whole clears there. Immutable.
 */
public final class RoiMask implements RegionOfInterest {
  private final double[] x0;
  private final double[] y0;
  private final double[] x1;
  private final double[] y1;
  private final String text;
  // The window's corner in the pixels the edges are in: (0, 0) for the whole raster.
  private final int dx;
  private final int dy;

  private RoiMask(RoiMask whole, int dx, int dy) {
    this.x0 = whole.x0;
    this.y0 = whole.y0;
    this.x1 = whole.x1;
    this.y1 = whole.y1;
    this.text = whole.text;
    this.dx = dx;
    this.dy = dy;
  }

  /**
   * @param roi a Polygon or MultiPolygon in the raster's CRS, x = east
   * @param windowToWorld pixel corners of the window to the same coordinates
   * @throws InvalidOptionException when {@code roi} is not polygonal
   */
  public RoiMask(Geometry roi, PixelToWorld windowToWorld) {
    if (!(roi instanceof Polygonal)) {
      throw new InvalidOptionException(
          "roi",
          "must be a Polygon or MultiPolygon in the raster's CRS, got " + roi.getGeometryType());
    }
    text = roi.toText();
    int edges = 0;
    for (int i = 0; i < roi.getNumGeometries(); i++) {
      Polygon p = (Polygon) roi.getGeometryN(i);
      edges += p.getExteriorRing().getNumPoints() - 1;
      for (int h = 0; h < p.getNumInteriorRing(); h++) {
        edges += p.getInteriorRingN(h).getNumPoints() - 1;
      }
    }
    dx = 0;
    dy = 0;
    x0 = new double[edges];
    y0 = new double[edges];
    x1 = new double[edges];
    y1 = new double[edges];
    int e = 0;
    for (int i = 0; i < roi.getNumGeometries(); i++) {
      Polygon p = (Polygon) roi.getGeometryN(i);
      e = addRing(p.getExteriorRing(), windowToWorld, e);
      for (int h = 0; h < p.getNumInteriorRing(); h++) {
        e = addRing(p.getInteriorRingN(h), windowToWorld, e);
      }
    }
  }

  /** The polygon's WKT, in the raster's CRS. */
  @Override
  public String describe() {
    return text;
  }

  private int addRing(LinearRing ring, PixelToWorld t, int e) {
    Coordinate[] c = ring.getCoordinates();
    for (int i = 0; i + 1 < c.length; i++) {
      double[] a = t.toPixel(c[i].x, c[i].y);
      double[] b = t.toPixel(c[i + 1].x, c[i + 1].y);
      x0[e] = a[0];
      y0[e] = a[1];
      x1[e] = b[0];
      y1[e] = b[1];
      e++;
    }
    return e;
  }

  @Override
  public void apply(int firstRow, int width, int height, float[] probabilities, byte[] valid) {
    double[] crossings = new double[x0.length];
    for (int r = 0; r < height; r++) {
      int n = crossings(dy + firstRow + r, crossings);
      int col = 0;
      int row = r * width;
      for (int k = 0; k + 1 < n; k += 2) {
        // Inside: pixel centres c + 0.5 in [crossings[k], crossings[k + 1]).
        int in0 = column(crossings[k], 0, width);
        int in1 = column(crossings[k + 1], 0, width);
        clear(probabilities, valid, row + col, row + Math.max(col, in0));
        col = Math.max(col, in1);
      }
      clear(probabilities, valid, row + col, row + width);
    }
  }

  @Override
  public boolean reaches(PixelBounds pixels) {
    double[] crossings = new double[x0.length];
    int width = pixels.maxColumn() - pixels.minColumn();
    for (int r = pixels.minRow(); r < pixels.maxRow(); r++) {
      int n = crossings(dy + r, crossings);
      for (int k = 0; k + 1 < n; k += 2) {
        int in0 = column(crossings[k], pixels.minColumn(), width);
        int in1 = column(crossings[k + 1], pixels.minColumn(), width);
        if (in0 < in1) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public RoiMask window(PixelBounds read) {
    return new RoiMask(this, dx + read.minColumn(), dy + read.minRow());
  }

  /** The sorted crossings of the scanline through the centres of row {@code row} (edge pixels). */
  private int crossings(int row, double[] crossings) {
    double y = row + 0.5;
    int n = 0;
    for (int e = 0; e < x0.length; e++) {
      // Half-open in y, so a vertex on the scanline is counted once.
      if ((y0[e] <= y) != (y1[e] <= y)) {
        crossings[n++] = x0[e] + (y - y0[e]) * (x1[e] - x0[e]) / (y1[e] - y0[e]);
      }
    }
    Arrays.sort(crossings, 0, n);
    return n;
  }

  /**
   * The first column, counted from column {@code from} of this window and within {@code [0,
   * width]}, whose centre lies at or after a crossing (edge pixels): whole numbers from the same
   * rounding in every window.
   */
  private int column(double crossing, int from, int width) {
    return (int) Math.max(0, Math.min(width, Math.ceil(crossing - 0.5) - dx - from));
  }

  @Override
  public boolean boundaryNear(PixelBounds pixels, int margin) {
    // Closer than the margin, as for the extent's sides: a boundary exactly margin pixels away
    // is not near.
    double m = margin - 1e-6;
    Rectangle2D.Double near =
        new Rectangle2D.Double(
            dx + pixels.minColumn() - m,
            dy + pixels.minRow() - m,
            pixels.maxColumn() - pixels.minColumn() + 2 * m,
            pixels.maxRow() - pixels.minRow() + 2 * m);
    for (int e = 0; e < x0.length; e++) {
      if (near.intersectsLine(x0[e], y0[e], x1[e], y1[e])) {
        return true;
      }
    }
    return false;
  }

  private static void clear(float[] p, byte[] valid, int from, int to) {
    if (from < to) {
      Arrays.fill(p, from, to, 0f);
      Arrays.fill(valid, from, to, (byte) 0);
    }
  }
}
