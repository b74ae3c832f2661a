package org.diffris.vectorizer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.locationtech.jts.algorithm.locate.IndexedPointInAreaLocator;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Location;

/** Test-side oracles: random masks, a reference flood fill and a rasterizer. */
final class TestMasks {

  static final GeometryFactory FACTORY = new GeometryFactory();

  private TestMasks() {}

  /** A random mask; {@code density} in [0, 1]; optionally blobby (neighbours copy each other). */
  static byte[] random(long seed, int width, int height, double density, boolean blobby) {
    Random rnd = new Random(seed);
    byte[] m = new byte[width * height];
    for (int i = 0; i < m.length; i++) {
      m[i] = (byte) (rnd.nextDouble() < density ? 1 : 0);
    }
    if (blobby) {
      // One smoothing pass: majority of the 3x3 neighbourhood, for larger shapes with holes.
      byte[] s = new byte[m.length];
      for (int r = 0; r < height; r++) {
        for (int c = 0; c < width; c++) {
          int n = 0;
          for (int dr = -1; dr <= 1; dr++) {
            for (int dc = -1; dc <= 1; dc++) {
              int rr = r + dr;
              int cc = c + dc;
              if (rr >= 0 && rr < height && cc >= 0 && cc < width) {
                n += m[rr * width + cc];
              }
            }
          }
          s[r * width + c] = (byte) (n >= 5 ? 1 : 0);
        }
      }
      return s;
    }
    return m;
  }

  /** Component sizes by flood fill, in order of first pixel (row-major). */
  static List<Long> componentSizes(byte[] m, int width, int height, boolean eight) {
    int[] label = new int[m.length];
    List<Long> sizes = new ArrayList<>();
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int start = 0; start < m.length; start++) {
      if (m[start] == 0 || label[start] != 0) {
        continue;
      }
      int id = sizes.size() + 1;
      label[start] = id;
      queue.add(start);
      long size = 0;
      while (!queue.isEmpty()) {
        int p = queue.poll();
        size++;
        int r = p / width;
        int c = p % width;
        for (int dr = -1; dr <= 1; dr++) {
          for (int dc = -1; dc <= 1; dc++) {
            if ((dr == 0 && dc == 0) || (!eight && dr != 0 && dc != 0)) {
              continue;
            }
            int rr = r + dr;
            int cc = c + dc;
            if (rr >= 0 && rr < height && cc >= 0 && cc < width) {
              int q = rr * width + cc;
              if (m[q] != 0 && label[q] == 0) {
                label[q] = id;
                queue.add(q);
              }
            }
          }
        }
      }
      sizes.add(size);
    }
    return sizes;
  }

  /**
   * Rasterizes geometries given in pixel coordinates (identity transform): a pixel is set when
   * its centre is inside a geometry. Returns the count of geometries covering each pixel.
   */
  static int[] coverCount(List<Geometry> geometries, int width, int height) {
    int[] count = new int[width * height];
    for (Geometry g : geometries) {
      IndexedPointInAreaLocator locator = new IndexedPointInAreaLocator(g);
      Envelope e = g.getEnvelopeInternal();
      int c0 = Math.max(0, (int) Math.floor(e.getMinX()));
      int c1 = Math.min(width - 1, (int) Math.ceil(e.getMaxX()));
      int r0 = Math.max(0, (int) Math.floor(e.getMinY()));
      int r1 = Math.min(height - 1, (int) Math.ceil(e.getMaxY()));
      for (int r = r0; r <= r1; r++) {
        for (int c = c0; c <= c1; c++) {
          if (locator.locate(new Coordinate(c + 0.5, r + 0.5)) == Location.INTERIOR) {
            count[r * width + c]++;
          }
        }
      }
    }
    return count;
  }

  static String show(byte[] m, int width, int height) {
    StringBuilder sb = new StringBuilder();
    for (int r = 0; r < height; r++) {
      for (int c = 0; c < width; c++) {
        sb.append(m[r * width + c] != 0 ? '#' : '.');
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** Parses rows of '#' (in) and '.' (out). */
  static byte[] parse(String... rows) {
    int w = rows[0].length();
    byte[] m = new byte[w * rows.length];
    for (int r = 0; r < rows.length; r++) {
      for (int c = 0; c < w; c++) {
        m[r * w + c] = (byte) (rows[r].charAt(c) == '#' ? 1 : 0);
      }
    }
    return m;
  }

  static List<VectorizedRegion> vectorize(byte[] m, int width, int height, Connectivity conn) {
    return MaskVectorizer.vectorize(
        MaskBand.binary(0, width, height, m, null),
        width,
        height,
        PixelToWorld.identity(),
        VectorizerOptions.builder().connectivity(conn).build(),
        FACTORY);
  }
}
