package org.diffris.runtime.tiling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A window of a raster, given its anchor, gets the whole raster's probabilities bit for bit
 * wherever it lies more than one tile (plus the resampling's reach) inside the window: the model
 * pixels and the tiles sit on a grid fixed to the world, not to the window's corner.
 */
class WorldAnchoredGridTest {

  /**
   * A model whose answer depends on the whole tile and on the position in it, so that any change
   * of tile grid or of the pixels a tile sees shows: pixel value, plus the tile's mean, plus a
   * ramp across the tile.
   */
  static final class ContextModel implements TileModel {
    @Override
    public int channels() {
      return 3;
    }

    @Override
    public long predict(float[] images, int count, int height, int width, float[] logits) {
      int plane = height * width;
      for (int k = 0; k < count; k++) {
        double mean = 0;
        for (int i = 0; i < plane; i++) {
          mean += images[k * 3 * plane + i];
        }
        mean /= plane;
        for (int r = 0; r < height; r++) {
          for (int c = 0; c < width; c++) {
            int i = r * width + c;
            logits[k * plane + i] =
                (float)
                    (images[k * 3 * plane + i]
                        - images[(k * 3 + 2) * plane + i]
                        + 4 * mean
                        + 0.02 * (r - c));
          }
        }
      }
      return 0;
    }
  }

  static ArrayRaster noise(int w, int h, long seed) {
    Random random = new Random(seed);
    float[][] bands = new float[3][w * h];
    for (float[] band : bands) {
      for (int i = 0; i < band.length; i++) {
        band[i] = random.nextFloat() * 2 - 1;
      }
    }
    return new ArrayRaster(w, h, bands, null);
  }

  /** The window {@code x, y, w, h} of a raster, as its own raster. */
  static ArrayRaster window(ArrayRaster whole, int x, int y, int w, int h) {
    float[][] bands = new float[whole.bandCount()][w * h];
    for (int b = 0; b < bands.length; b++) {
      for (int r = 0; r < h; r++) {
        for (int c = 0; c < w; c++) {
          bands[b][r * w + c] = whole.value(b, x + c, y + r);
        }
      }
    }
    return new ArrayRaster(w, h, bands, null);
  }

  @ParameterizedTest(name = "raster GSD {0} (model 1), window at {1},{2}, anchor {3},{4}")
  @CsvSource({
    "1.0, 0, 0, 0, 0",
    "1.0, 37, 53, 0, 0",
    "1.0, 24, 48, 1000, -7000",
    "1.0, 1, 1, 402000.5, 5059000.25",
    "0.5, 101, 77, 804000, -10118000",
    "0.5, 128, 0, 804000, -10118000",
    "0.5, 1, 3, 804000.5, -10118000.5",
    "0.7, 13, 29, 12345.125, 678.5",
    "2.0, 7, 11, 201000, -2529500"
  })
  void aWindowMatchesTheWholeRasterInsideItsMargin(
      double rasterGsd, int ox, int oy, double anchorColumn, double anchorRow) throws IOException {
    int w = 360;
    int h = 330;
    int ww = 230;
    int wh = 210;
    ArrayRaster whole = noise(w, h, 11);
    ArrayRaster part = window(whole, ox, oy, ww, wh);
    TiledSegmenter.Builder settings =
        TiledSegmenter.of(32, 8, PixelScaling.identity(3)).modelGsd(1).rasterGsd(rasterGsd);
    CollectedBands wholeOut = new CollectedBands(w, h);
    settings
        .anchor(GridAnchor.of(anchorColumn, anchorRow))
        .build()
        .run(whole, new ContextModel(), wholeOut);
    CollectedBands partOut = new CollectedBands(ww, wh);
    settings
        .anchor(GridAnchor.of(anchorColumn + ox, anchorRow + oy))
        .build()
        .run(part, new ContextModel(), partOut);
    assertTrue(wholeOut.complete() && partOut.complete());
    // One tile of model pixels plus the two resamplings' reach, in raster pixels.
    int margin = (int) Math.ceil((32 + 2) / rasterGsd) + 2;
    int compared = 0;
    int differentOutside = 0;
    for (int r = 0; r < wh; r++) {
      for (int c = 0; c < ww; c++) {
        boolean inside = c >= margin && r >= margin && c < ww - margin && r < wh - margin;
        float expected = wholeOut.p(ox + c, oy + r);
        float actual = partOut.p(c, r);
        if (inside) {
          assertEquals(expected, actual, 0f, "window pixel " + c + "," + r);
          compared++;
        } else if (expected != actual) {
          differentOutside++;
        }
      }
    }
    assertTrue(compared >= 5000, "compared " + compared + " pixels");
    if (ox != 0 || oy != 0) {
      // The model sees less context at the window's edges: the margin is needed, not just safe.
      assertTrue(differentOutside > 0, "the window's edges differ from the whole raster's");
    }
  }

  @ParameterizedTest(name = "raster GSD {0} x {1} (model 1), window at {2},{3}")
  @CsvSource({
    "0.4, 1.5, 101, 77, 804000.5, -10118000.25",
    "0.25, 0.25, 37, 53, 1000, -7000",
    "2.0, 0.3, 13, 29, 12345.125, 678.5"
  })
  void aWindowMatchesTheWholeRasterWithAreaAveragesAndOblongPixels(
      double columnGsd, double rowGsd, int ox, int oy, double anchorColumn, double anchorRow)
      throws IOException {
    int w = 700;
    int h = 620;
    int ww = 480;
    int wh = 430;
    ArrayRaster whole = noise(w, h, 12);
    ArrayRaster part = window(whole, ox, oy, ww, wh);
    TiledSegmenter.Builder settings =
        TiledSegmenter.of(32, 8, PixelScaling.identity(3)).modelGsd(1).rasterGsd(columnGsd, rowGsd);
    CollectedBands wholeOut = new CollectedBands(w, h);
    settings
        .anchor(GridAnchor.of(anchorColumn, anchorRow))
        .build()
        .run(whole, new ContextModel(), wholeOut);
    CollectedBands partOut = new CollectedBands(ww, wh);
    settings
        .anchor(GridAnchor.of(anchorColumn + ox, anchorRow + oy))
        .build()
        .run(part, new ContextModel(), partOut);
    assertTrue(wholeOut.complete() && partOut.complete());
    int marginX = (int) Math.ceil((32 + 2) / columnGsd) + 2;
    int marginY = (int) Math.ceil((32 + 2) / rowGsd) + 2;
    int compared = 0;
    for (int r = marginY; r < wh - marginY; r++) {
      for (int c = marginX; c < ww - marginX; c++) {
        assertEquals(
            wholeOut.p(ox + c, oy + r), partOut.p(c, r), 0f, "window pixel " + c + "," + r);
        compared++;
      }
    }
    assertTrue(compared >= 5000, "compared " + compared + " pixels");
  }

  @ParameterizedTest
  @CsvSource({"1.0, 13, 29", "0.5, 101, 77"})
  void cornerAnchoredWindowsDifferInside(double rasterGsd, int ox, int oy) throws IOException {
    // Without anchors both grids start at their own corners: the old behaviour, kept as a check
    // that the test above can fail.
    ArrayRaster whole = noise(360, 330, 11);
    ArrayRaster part = window(whole, ox, oy, 230, 210);
    TiledSegmenter tiler =
        TiledSegmenter.of(32, 8, PixelScaling.identity(3)).modelGsd(1).rasterGsd(rasterGsd).build();
    CollectedBands wholeOut = new CollectedBands(360, 330);
    tiler.run(whole, new ContextModel(), wholeOut);
    CollectedBands partOut = new CollectedBands(230, 210);
    tiler.run(part, new ContextModel(), partOut);
    int different = 0;
    for (int r = 80; r < 130; r++) {
      for (int c = 80; c < 150; c++) {
        if (wholeOut.p(ox + c, oy + r) != partOut.p(c, r)) {
          different++;
        }
      }
    }
    assertTrue(different > 1000, different + " pixels differ");
  }
}
