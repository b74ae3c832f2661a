package org.diffris.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.diffris.runtime.tiling.GridAnchor;
import org.diffris.vectorizer.PixelBounds;
import org.diffris.vectorizer.PixelToWorld;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.GeometryFactory;

/** Where a raster sits for the model's grid, and which regions lie near an extent's edge. */
class ExtentRulesTest {

  @Test
  void aNorthUpRasterIsAnchoredAtItsOriginInPixels() {
    PixelToWorld port = new PixelToWorld(402000, 0.5, 0, 5059000, 0, -0.5);
    assertEquals(new GridAnchor(804000, -10118000), SegmentationPlan.anchor(port));
    assertEquals(GridAnchor.CORNER, SegmentationPlan.anchor(PixelToWorld.identity()));
  }

  @ParameterizedTest
  @CsvSource({
    "402000, 0.5, 0, 5059000, 0, -0.5, 101, 77",
    "1000.25, 0.8, 0.3, -200.5, -0.2, -0.9, 13, 29",
    "15.123456, 0.00001, 0, 47.8015, 0, -0.00001, 4097, 3",
    "-2500000.125, 10, 0, 3000000.375, 0, -10, 1, 1"
  })
  void windowsOfOneGridAreAnchoredWholePixelsApart(
      double x0, double a, double b, double y0, double d, double e, int ox, int oy) {
    PixelToWorld whole = new PixelToWorld(x0, a, b, y0, d, e);
    // The window's origin as a GDAL crop or a GeoTools subset computes it.
    PixelToWorld window = new PixelToWorld(whole.x(ox, oy), a, b, whole.y(ox, oy), d, e);
    GridAnchor w = SegmentationPlan.anchor(whole);
    GridAnchor c = SegmentationPlan.anchor(window);
    assertEquals(w.column() + ox, c.column(), 0.0);
    assertEquals(w.row() + oy, c.row(), 0.0);
  }

  @Test
  void theEdgeMarginIsOneTileOfModelPixelsInRasterPixelsWithTheResamplingsReach() {
    assertEquals(135, SegmentationPlan.edgeMargin(64, 0.5)); // diffris-tiny on 0.5 m imagery
    assertEquals(69, SegmentationPlan.edgeMargin(64, 1));
    assertEquals(36, SegmentationPlan.edgeMargin(64, 2));
  }

  @Test
  void theJobsMemoryGrowsWithTheWidthNotTheResamplingFactor() {
    // diffris-tiny (tiles of 64, batches of 4, 3 channels) on a raster 10 km wide: the same
    // ground at 0.5 m (factor 0.5) and at 2 cm (0.02): the finer raster reads 130 rows at a time
    // (not the 3,202 a tile row covers), and hands 130 back at a time.
    long half = SegmentationPlan.jobBytes(64, 4, 3, 10001, 20000, 0.5, 0.5);
    long twoCm = SegmentationPlan.jobBytes(64, 4, 3, 10001, 500000, 0.02, 0.02);
    long rows = 130;
    assertEquals(
        4 * 4 * 64 * 64 * 4
            + 2L * 10001 * 64 * 17
            + 2L * 500000 * rows * 3 * 4
            + 10001L * 64 * 22
            + 500000L * rows * 5,
        twoCm);
    // 25 times the pixels per row cost 25 times the raster rows' part, nothing more.
    assertEquals(
        (2L * 500000 * rows * 3 * 4 + 500000L * rows * 5)
            - (2L * 20000 * rows * 3 * 4 + 20000L * rows * 5),
        twoCm - half);
    // Pixels 0.5 x 1 m: the rows' factor decides the rows read (1: a tile row and its neighbours).
    assertEquals(
        4 * 4 * 64 * 64 * 4
            + 2L * 10001 * 64 * 17
            + 2L * 20000 * 66 * 3 * 4
            + 10001L * 64 * 22
            + 20000L * 66 * 5,
        SegmentationPlan.jobBytes(64, 4, 3, 10001, 20000, 0.5, 1));
    // Without resampling: the tile rows themselves, nothing mapped back.
    assertEquals(
        4 * 4 * 64 * 64 * 4 + 2L * 10000 * 64 * 17 + 2L * 10000 * 64 * 3 * 4 + 10000L * 64 * 22,
        SegmentationPlan.jobBytes(64, 4, 3, 10000, 10000, 1, 1));
  }

  @Test
  void anRoisBoundaryIsNearWhenCloserThanTheMargin() {
    PixelToWorld grid = new PixelToWorld(0, 1, 0, 0, 0, -1);
    // Pixels 100..199 in both directions: world x 100..200, y -200..-100.
    RoiMask roi =
        new RoiMask(new GeometryFactory().toGeometry(new Envelope(100, 200, -200, -100)), grid);
    assertFalse(roi.boundaryNear(new PixelBounds(120, 120, 180, 180), 20), "exactly 20 away");
    assertTrue(roi.boundaryNear(new PixelBounds(119, 150, 130, 160), 20), "19 away");
    assertTrue(roi.boundaryNear(new PixelBounds(150, 181, 160, 190), 20), "19 away, below");
    assertFalse(roi.boundaryNear(new PixelBounds(130, 130, 170, 170), 30));
  }
}
