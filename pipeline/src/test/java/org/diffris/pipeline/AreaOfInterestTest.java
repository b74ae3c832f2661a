package org.diffris.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.diffris.vectorizer.PixelBounds;
import org.diffris.vectorizer.PixelToWorld;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.WKTReader;

/**
 * The area of interest's rule, shared by every host: what is refused and why, the pixels read,
 * and a mask cut into windows that clears exactly what the whole mask clears.
 */
class AreaOfInterestTest {
  // 1 m pixels from (500000, 5300000), north-up: pixel (c, r) has its corner at
  // (500000 + c, 5300000 - r).
  private static final PixelToWorld UTM = new PixelToWorld(500000, 1, 0, 5300000, 0, -1);

  private static Geometry wkt(String text) throws Exception {
    return new WKTReader().read(text);
  }

  private static String refusal(String text) throws Exception {
    return assertThrows(
            InvalidInputException.class,
            () -> AreaOfInterest.of(wkt(text), "roi").window(UTM, 200, 150, "EPSG:32633"))
        .getMessage();
  }

  @Test
  void badAreasAreRefusedSayingWhatIsAccepted() throws Exception {
    assertTrue(refusal("POLYGON EMPTY").startsWith("roi is empty;"));
    String line = refusal("LINESTRING (500010 5299990, 500100 5299900)");
    assertTrue(
        line.startsWith("roi must be a Polygon or MultiPolygon (an area), got a LineString;"),
        line);
    assertTrue(line.contains("buffer"), line);
    String point =
        refusal(
            "GEOMETRYCOLLECTION (POLYGON ((500000 5300000, 500010 5300000, 500010 5299990,"
                + " 500000 5300000)), POINT (500005 5299995))");
    assertTrue(point.contains("got a Point"), point);
    String bowTie =
        refusal(
            "POLYGON ((500000 5300000, 500100 5299900, 500100 5300000, 500000 5299900,"
                + " 500000 5300000))");
    assertTrue(bowTie.startsWith("roi is not a valid polygon: self-intersection at ("), bowTie);
    assertTrue(bowTie.contains("ST_MakeValid"), bowTie);
    String outside = refusal("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))");
    assertEquals(
        "roi (x 0.000000000 to 10.00000000, y 0.000000000 to 10.00000000) does not overlap the"
            + " raster (x 500000.0000 to 500200.0000, y 5299850.000 to 5300000.000) (both in the"
            + " raster's CRS, EPSG:32633, x = east); give an area over the raster, in its CRS or"
            + " with the CRS it is in",
        outside);
    // Sharing only the raster's edge is not overlapping it.
    assertTrue(
        refusal(
                "POLYGON ((500200 5300000, 500300 5300000, 500300 5299900, 500200 5299900,"
                    + " 500200 5300000))")
            .contains("does not overlap the raster"));
  }

  @Test
  void theWindowIsThePixelsRoundTheAreaInsideTheRaster() throws Exception {
    AreaOfInterest roi =
        AreaOfInterest.of(
            wkt(
                "POLYGON ((500010.5 5299980.2, 500250 5299980.2, 500250 5299900, 500010.5"
                    + " 5299900, 500010.5 5299980.2))"),
            "roi");
    assertEquals(new PixelBounds(10, 19, 200, 100), roi.window(UTM, 200, 150, "EPSG:32633"));
    // The features of a file: their union, overlapping parts once.
    AreaOfInterest two =
        AreaOfInterest.of(
            wkt(
                "GEOMETRYCOLLECTION (POLYGON ((500000 5300000, 500020 5300000, 500020 5299980,"
                    + " 500000 5299980, 500000 5300000)), POLYGON ((500010 5300000, 500030 5300000,"
                    + " 500030 5299980, 500010 5299980, 500010 5300000)))"),
            "roi");
    assertEquals(600, two.geometry().getArea(), 1e-9);
  }

  /** Random bands of a random concave roi: a window's mask clears what the whole one does. */
  @Test
  void aWindowOfTheMaskClearsExactlyWhatTheWholeClears() throws Exception {
    // Vertices on pixel centres and corners, where the rounding is decided.
    RoiMask whole =
        AreaOfInterest.of(
                wkt(
                    "POLYGON ((500010.5 5299990.5, 500150 5299990.5, 500150 5299900, 500080.5"
                        + " 5299940, 500010.5 5299880.5, 500010.5 5299990.5), (500030 5299970,"
                        + " 500040 5299970, 500040 5299960, 500030 5299960, 500030 5299970))"),
                "roi")
            .mask(UTM);
    int width = 200;
    int height = 150;
    float[] p = new float[width * height];
    byte[] valid = new byte[width * height];
    Arrays.fill(p, 0.5f);
    Arrays.fill(valid, (byte) 1);
    whole.apply(0, width, height, p, valid);
    Random random = new Random(30);
    for (int i = 0; i < 200; i++) {
      int c0 = random.nextInt(width);
      int r0 = random.nextInt(height);
      PixelBounds read =
          new PixelBounds(
              c0, r0, c0 + 1 + random.nextInt(width - c0), r0 + 1 + random.nextInt(height - r0));
      RegionOfInterest window = whole.window(read);
      int w = read.maxColumn() - read.minColumn();
      int first = random.nextInt(read.maxRow() - read.minRow());
      int h = read.maxRow() - read.minRow() - first;
      float[] wp = new float[w * h];
      byte[] wv = new byte[w * h];
      Arrays.fill(wp, 0.5f);
      Arrays.fill(wv, (byte) 1);
      window.apply(first, w, h, wp, wv);
      boolean any = false;
      for (int r = 0; r < h; r++) {
        int from = (read.minRow() + first + r) * width + read.minColumn();
        byte[] expected = Arrays.copyOfRange(valid, from, from + w);
        assertArrayEquals(
            expected, Arrays.copyOfRange(wv, r * w, r * w + w), "window " + read + " row " + r);
        for (byte b : expected) {
          any |= b != 0;
        }
      }
      PixelBounds core =
          new PixelBounds(read.minColumn(), read.minRow() + first, read.maxColumn(), read.maxRow());
      assertEquals(any, whole.reaches(core), "reaches " + core);
      assertEquals(
          whole.boundaryNear(core, 5),
          window.boundaryNear(new PixelBounds(0, first, w, read.maxRow() - read.minRow()), 5),
          "boundaryNear " + core);
    }
    assertFalse(whole.reaches(new PixelBounds(160, 0, 200, 150)), "east of the roi");
  }

  /** A region a window cannot repeat says so, for the window's failure. */
  @Test
  void aRegionThatCannotBeCutIntoWindowsSaysWhy() {
    RegionOfInterest mask =
        new RegionOfInterest() {
          @Override
          public void apply(int firstRow, int width, int height, float[] p, byte[] valid) {}

          @Override
          public boolean boundaryNear(PixelBounds pixels, int margin) {
            return false;
          }
        };
    InvalidOptionException e =
        assertThrows(InvalidOptionException.class, () -> mask.window(new PixelBounds(0, 0, 8, 8)));
    assertTrue(e.getMessage().startsWith("roi of this kind ("), e.getMessage());
    assertTrue(e.getMessage().contains("cannot be cut into windows;"), e.getMessage());
  }
}
