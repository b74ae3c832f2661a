package org.diffris.runtime.tiling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The model sees the raster at its own GSD; probabilities come back on the raster's grid. */
class GsdResamplingTest {

  @Test
  void factorsOutsideTheRangeAreRefusedSayingWhatToDo() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> GsdResampling.between(5, 0.5));
    assertEquals(
        "the raster's pixel size 5.000 m is 10.0 times the model's 0.5000 m; accepted are"
            + " 0.25 to 4.0 times: resample the raster to between 0.1250 and 2.000 m first",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> GsdResampling.between(0.1, 0.5));
    assertThrows(IllegalArgumentException.class, () -> GsdResampling.between(0, 0.5));
    assertTrue(GsdResampling.between(0.5002, 0.5).isIdentity());
    assertEquals(4, GsdResampling.between(2, 0.5).factor(), 1e-12);
  }

  @Test
  void aModelWithoutAGsdTakesAnyRasterAsItIs() {
    for (double raster : new double[] {0.05, 0.5, 30}) {
      GsdResampling none = GsdResampling.none(raster);
      assertTrue(none.isIdentity());
      assertEquals(1, none.factor());
      assertEquals(1791, none.modelLength(1791));
      assertEquals(none, GsdResampling.forModel(raster, 0));
    }
    assertEquals(2, GsdResampling.forModel(1, 0.5).factor(), 1e-12);
  }

  @ParameterizedTest
  @CsvSource({"1.0,0.5,97,83", "0.25,0.5,160,121", "0.7,0.5,90,70"})
  void aSmoothRasterComesBackOnItsOwnGridWithTheFactorReported(
      double rasterGsd, double modelGsd, int w, int h) throws IOException {
    ArrayRaster raster = ArrayRaster.of(w, h, 3, null, (b, c, r) -> 0.02f * c - 0.015f * r + b);
    TiledSegmenterTest.PointwiseModel model = new TiledSegmenterTest.PointwiseModel(3, px -> px[0]);
    CollectedBands out = new CollectedBands(w, h);
    InferenceSummary summary =
        TiledSegmenter.of(32, 8, PixelScaling.identity(3))
            .modelGsd(modelGsd)
            .rasterGsd(rasterGsd)
            .build()
            .run(raster, model, out);
    double factor = rasterGsd / modelGsd;
    assertEquals(factor, summary.resampleFactor(), 1e-12);
    assertEquals(Math.round(w * factor), summary.modelWidth());
    assertEquals(Math.round(h * factor), summary.modelHeight());
    assertTrue(out.complete());
    assertTrue(out.bands.size() > 1, "streamed in several bands");
    int edge = (int) Math.ceil(1 / factor);
    for (int r = 0; r < h; r++) {
      for (int c = 0; c < w; c++) {
        double expected = TiledSegmenterTest.sigmoid(raster.value(0, c, r));
        // Bilinear there and back is exact for a linear ramp up to the sigmoid's curvature; within
        // one model pixel of the raster's edges, the edge clamp moves the sample by up to half a
        // model pixel (slope 0.02 per raster pixel, sigmoid slope 1/4).
        boolean inside = r >= edge && c >= edge && r < h - edge && c < w - edge;
        double tolerance = inside ? 1e-4 : 0.25 * 0.035 * 0.5 / factor + 1e-4;
        assertEquals(expected, out.p(c, r), tolerance, "at " + c + "," + r);
        assertEquals(1, out.valid[r * w + c]);
      }
    }
  }

  @Test
  void nodataStaysNodataThroughResampling() throws IOException {
    int w = 100;
    int h = 60;
    ArrayRaster raster = ArrayRaster.of(w, h, 3, 0.0, (b, c, r) -> c < 50 && b == 2 ? 0f : 1f);
    TiledSegmenterTest.PointwiseModel model =
        new TiledSegmenterTest.PointwiseModel(
            3,
            px -> {
              for (float v : px) {
                if (v != 1f && v != 0f) {
                  throw new AssertionError("model saw an interpolated nodata value " + v);
                }
              }
              return 1f;
            });
    CollectedBands out = new CollectedBands(w, h);
    TiledSegmenter.of(32, 8, PixelScaling.identity(3))
        .modelGsd(0.5)
        .rasterGsd(1.5)
        .build()
        .run(raster, model, out);
    for (int r = 0; r < h; r++) {
      for (int c = 0; c < w; c++) {
        if (c < 49) {
          assertEquals(0, out.valid[r * w + c], "nodata at " + c + "," + r);
          assertEquals(0f, out.p(c, r));
        } else if (c > 50) {
          assertEquals(1, out.valid[r * w + c], "valid at " + c + "," + r);
          assertEquals(TiledSegmenterTest.sigmoid(1), out.p(c, r), 1e-6);
        }
      }
    }
  }
}
