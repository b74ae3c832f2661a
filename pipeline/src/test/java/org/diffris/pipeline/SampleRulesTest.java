package org.diffris.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalDouble;
import org.diffris.runtime.tiling.RasterSource;
import org.diffris.vectorizer.AreaModel;
import org.diffris.vectorizer.PixelToWorld;
import org.junit.jupiter.api.Test;

/**
 * What a raster's samples mean, whatever the host: infinities in floating-point data are missing
 * data (NaN), never values; a palette raster is its colours, never its indices.
 */
class SampleRulesTest {
  static final PixelToWorld GRID = new PixelToWorld(402000, 0.5, 0, 5059000, 0, -0.5);

  /** One band of {@code values} in a row, with {@code nodata}. */
  static RasterSource row(float[] values, Double nodata) {
    return new RasterSource() {
      public int width() {
        return values.length;
      }

      public int height() {
        return 1;
      }

      public int bandCount() {
        return 1;
      }

      public OptionalDouble nodata(int band) {
        return nodata == null ? OptionalDouble.empty() : OptionalDouble.of(nodata);
      }

      public void read(int x, int y, int w, int h, int[] bands, float[] dest) {
        for (int i = 0; i < bands.length; i++) {
          System.arraycopy(values, x, dest, i * w, w);
        }
      }
    };
  }

  static float[] read(RasterInput input, int... bands) throws Exception {
    float[] out = new float[bands.length * input.width()];
    input.source().read(0, 0, input.width(), 1, bands, out);
    return out;
  }

  @Test
  void infinitiesInFloatingPointDataAreMissing() throws Exception {
    float[] values = {Float.NEGATIVE_INFINITY, -1, 0.5f, Float.POSITIVE_INFINITY, Float.NaN};
    for (int bits : new int[] {16, 32, 64}) {
      RasterInput input =
          new RasterInput(
              row(values, null),
              GRID,
              AreaModel.planar(1),
              new SampleType(SampleType.Kind.FLOAT, bits, 0),
              List.of(),
              32633);
      float[] read = read(input, 0);
      assertTrue(Float.isNaN(read[0]) && Float.isNaN(read[3]) && Float.isNaN(read[4]));
      assertEquals(-1, read[1]);
      assertEquals(0.5f, read[2]);
      // and in a window of it
      float[] window = new float[2];
      input
          .window(new org.diffris.vectorizer.PixelBounds(2, 0, 4, 1))
          .source()
          .read(0, 0, 2, 1, new int[] {0}, window);
      assertEquals(0.5f, window[0]);
      assertTrue(Float.isNaN(window[1]));
    }
  }

  @Test
  void aPaletteRasterReadsAsItsColoursAndItsNodataIndexIsMissing() throws Exception {
    // indices 0, 1, 2, 3 (nodata), 7 (past the table), NaN
    float[] indices = {0, 1, 2, 3, 7, Float.NaN};
    int[] red = {255, 0, 10, 20};
    int[] green = {255, 0, 11, 21};
    int[] blue = {255, 0, 12, 22};
    RasterSource colours = new PaletteColours(row(indices, 3.0), red, green, blue);
    assertEquals(3, colours.bandCount());
    float[] out = new float[3 * indices.length];
    colours.read(0, 0, indices.length, 1, new int[] {0, 1, 2}, out);
    int n = indices.length;
    for (int i = 0; i < 3; i++) {
      assertEquals(red[i], out[i]);
      assertEquals(green[i], out[n + i]);
      assertEquals(blue[i], out[2 * n + i]);
    }
    for (int i = 3; i < n; i++) {
      for (int b = 0; b < 3; b++) {
        assertTrue(Float.isNaN(out[b * n + i]), "pixel " + i + " band " + b);
      }
    }
    // band 1 three times (--bands 1,1,1) is the red channel, not the indices
    float[] reds = new float[3 * n];
    colours.read(0, 0, n, 1, new int[] {0, 0, 0}, reds);
    assertEquals(255, reds[0]);
    assertEquals(10, reds[2 * n + 2]);
  }
}
