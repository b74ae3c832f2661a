package org.diffris.runtime.tiling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The model sees the raster at its own GSD; probabilities come back on the raster's grid. */
class GsdResamplingTest {

  @Test
  void rastersFourTimesCoarserThanTheModelAreRefusedSayingWhy() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> GsdResampling.between(5, 0.5));
    assertEquals(
        "the raster's pixel size 5.000 m is 10.0 times the model's 0.5000 m: the model would see"
            + " each raster pixel enlarged 10.0 times, which adds no detail, and the objects it"
            + " finds (a few of its pixels across) would be smaller than one raster pixel;"
            + " accepted are rasters up to 4.0 times coarser than the model (pixels up to 2.000"
            + " m), and any finer",
        e.getMessage());
    // the coarser axis decides
    assertThrows(IllegalArgumentException.class, () -> GsdResampling.between(0.5, 2.5, 0.5));
    assertThrows(IllegalArgumentException.class, () -> GsdResampling.between(0, 0.5));
    assertTrue(GsdResampling.between(0.5002, 0.5).isIdentity());
    assertEquals(4, GsdResampling.between(2, 0.5).columnFactor(), 1e-12);
  }

  @Test
  void anyFinerRasterIsAcceptedAxisByAxis() {
    // drone imagery: 2 cm and 7.5 cm for a 1 m model, 1 mm for good measure
    assertEquals(0.02, GsdResampling.between(0.02, 1).columnFactor(), 1e-15);
    assertEquals(0.075, GsdResampling.between(0.075, 1).rowFactor(), 1e-15);
    assertEquals(0.001, GsdResampling.between(0.001, 1).rowFactor(), 1e-15);
    GsdResampling oblong = GsdResampling.between(0.5, 1, 1);
    assertEquals(0.5, oblong.gridColumnFactor());
    assertEquals(1, oblong.gridRowFactor());
    assertFalse(oblong.isIdentity());
  }

  /** A model that keeps a copy of every tile it is given, in order. */
  static final class RecordingModel implements TileModel {
    final List<float[]> tiles = new ArrayList<>();

    @Override
    public int channels() {
      return 3;
    }

    @Override
    public long predict(float[] images, int count, int height, int width, float[] logits) {
      int size = 3 * height * width;
      for (int k = 0; k < count; k++) {
        tiles.add(Arrays.copyOfRange(images, k * size, (k + 1) * size));
      }
      Arrays.fill(logits, 0, count * height * width, 0f);
      return 0;
    }
  }

  /**
   * A raster whose pixels are {@code times} x {@code times} copies of another's ({@code across}
   * times along the columns, {@code down} along the rows), computed on every read, never held;
   * records the tallest read.
   */
  static final class Enlarged implements RasterSource {
    final ArrayRaster picture;
    final int across;
    final int down;
    int tallestRead;
    long mostPixelsRead;

    Enlarged(ArrayRaster picture, int across, int down) {
      this.picture = picture;
      this.across = across;
      this.down = down;
    }

    @Override
    public int width() {
      return picture.width() * across;
    }

    @Override
    public int height() {
      return picture.height() * down;
    }

    @Override
    public int bandCount() {
      return picture.bandCount();
    }

    @Override
    public void read(int x, int y, int w, int h, int[] bands, float[] dest) {
      tallestRead = Math.max(tallestRead, h);
      mostPixelsRead = Math.max(mostPixelsRead, (long) w * h);
      for (int b = 0; b < bands.length; b++) {
        for (int r = 0; r < h; r++) {
          for (int c = 0; c < w; c++) {
            dest[(b * h + r) * w + c] = picture.value(bands[b], (x + c) / across, (y + r) / down);
          }
        }
      }
    }
  }

  private static List<float[]> tilesSeen(
      RasterSource raster, double columnGsd, double rowGsd, GridAnchor anchor) throws IOException {
    RecordingModel model = new RecordingModel();
    CollectedBands out = new CollectedBands(raster.width(), raster.height());
    TiledSegmenter.of(32, 8, PixelScaling.identity(3))
        .modelGsd(1)
        .rasterGsd(columnGsd, rowGsd)
        .anchor(anchor)
        .build()
        .run(raster, model, out);
    assertTrue(out.complete());
    // The probabilities come back in bands no taller than the memory rule says.
    long most = TiledSegmenter.rasterRowsPerBand(32, rowGsd);
    for (int[] band : out.bands) {
      assertTrue(band[1] <= most, "a band of " + band[1] + " rows, more than " + most);
    }
    return model.tiles;
  }

  @Test
  void pixelsHalfAsWideAsHighAreSeenAsTheSquarePicture() throws IOException {
    // The same 1 m picture stored at 0.5 x 1 m (every column twice): the model gets the very
    // tiles it gets from the square one, bit for bit, not a picture stretched 2:1.
    ArrayRaster picture = WorldAnchoredGridTest.noise(120, 90, 5);
    List<float[]> square = tilesSeen(picture, 1, 1, GridAnchor.of(1000, -3000));
    List<float[]> oblong =
        tilesSeen(new Enlarged(picture, 2, 1), 0.5, 1, GridAnchor.of(2000, -3000));
    assertEquals(square.size(), oblong.size());
    for (int i = 0; i < square.size(); i++) {
      assertArrayEquals(square.get(i), oblong.get(i), 0f, "tile " + i);
    }
    // And 1 x 0.5 m: every row twice.
    List<float[]> tall = tilesSeen(new Enlarged(picture, 1, 2), 1, 0.5, GridAnchor.of(1000, -6000));
    assertEquals(square.size(), tall.size());
    for (int i = 0; i < square.size(); i++) {
      assertArrayEquals(square.get(i), tall.get(i), 0f, "tile " + i);
    }
  }

  @Test
  void droneImageryIsAreaAveragedReadingAFewRowsAtATime() throws IOException {
    // The 1 m picture at 2 cm (50 x 50 copies of each pixel, 6000 x 4500, never held): each model
    // pixel is the mean of its 2,500 raster pixels, so the model gets the picture's own tiles
    // (up to the float sum's rounding), and no read asks for more than 102 rows.
    ArrayRaster picture = WorldAnchoredGridTest.noise(120, 90, 6);
    List<float[]> expected = tilesSeen(picture, 1, 1, GridAnchor.of(1000, -3000));
    Enlarged drone = new Enlarged(picture, 50, 50);
    List<float[]> actual = tilesSeen(drone, 0.02, 0.02, GridAnchor.of(50000, -150000));
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), 1e-6f, "tile " + i);
    }
    long rows = ResampledRaster.maxRowsPerRead(32, 0.02);
    assertEquals(66, rows);
    assertTrue(drone.tallestRead <= rows, "read " + drone.tallestRead + " rows at once");
    assertTrue(drone.mostPixelsRead <= rows * drone.width(), "pixels " + drone.mostPixelsRead);
  }

  @Test
  void belowHalfEveryRasterPixelCountsAndAboveItInterpolationIsUnchanged() throws IOException {
    // A single bright raster pixel among dark ones reaches the model at a factor of 0.3 (area
    // averaging), where bilinear interpolation from the two pixels round each centre could skip
    // it; the share it gets is its share of the model pixel's area.
    int w = 40;
    ArrayRaster dot = ArrayRaster.of(w, w, 3, null, (b, c, r) -> c == 21 && r == 17 ? 1f : 0f);
    List<float[]> tiles = tilesSeen(dot, 0.3, 0.3, GridAnchor.CORNER);
    double total = 0;
    for (float[] tile : tiles) {
      for (int i = 0; i < tile.length / 3; i++) {
        total += tile[i];
      }
    }
    // Every model pixel the dot falls in holds 0.3² of it, summed over tiles that repeat it in
    // their overlaps: at least 0.09 of it, never 0.
    assertTrue(total >= 0.09 - 1e-6, "the dot reached the model with weight " + total);
  }

  @Test
  void aModelWithoutAGsdTakesAnyRasterAsItIs() {
    for (double raster : new double[] {0.05, 0.5, 30}) {
      GsdResampling none = GsdResampling.none(raster);
      assertTrue(none.isIdentity());
      assertEquals(1, none.columnFactor());
      assertEquals(none, GsdResampling.forModel(raster, 0));
    }
    assertEquals(2, GsdResampling.forModel(1, 0.5).rowFactor(), 1e-12);
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
