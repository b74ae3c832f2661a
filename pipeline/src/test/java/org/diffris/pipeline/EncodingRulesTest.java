package org.diffris.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalDouble;
import org.diffris.runtime.tiling.RasterSource;
import org.junit.jupiter.api.Test;

/** Band order from the raster's colour interpretation, and alpha as nodata. */
class EncodingRulesTest {
  static final BandRole R = BandRole.RED;
  static final BandRole G = BandRole.GREEN;
  static final BandRole B = BandRole.BLUE;
  static final BandRole A = BandRole.ALPHA;
  static final BandRole O = BandRole.OTHER;

  @Test
  void defaultBandsFollowTheRastersColours() {
    assertArrayEquals(new int[] {2, 1, 0}, BandSelection.parse(null, 3, 3, List.of(B, G, R), null));
    assertArrayEquals(
        new int[] {0, 1, 2}, BandSelection.parse(null, 4, 3, List.of(R, G, B, A), "RGB"));
    // blue, green, red, near infrared: the model still gets red, green, blue
    assertArrayEquals(
        new int[] {2, 1, 0}, BandSelection.parse(null, 4, 3, List.of(B, G, R, O), "RGB"));
    // a model that wants blue first
    assertArrayEquals(
        new int[] {2, 1, 0}, BandSelection.parse(null, 3, 3, List.of(R, G, B), "BGR"));
    // alpha first, colours not named: the first bands that are not alpha
    assertArrayEquals(
        new int[] {1, 2, 3}, BandSelection.parse(null, 4, 3, List.of(A, O, O, O), "RGB"));
    // nothing said: the first bands
    assertArrayEquals(new int[] {0, 1, 2}, BandSelection.parse(null, 5, 3, List.of(), "RGB"));
    // the user's choice wins
    assertArrayEquals(
        new int[] {0, 1, 2}, BandSelection.parse("1,2,3", 3, 3, List.of(B, G, R), "RGB"));
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> BandSelection.parse(null, 3, 3, List.of(O, O, A), "RGB"));
    assertTrue(e.getMessage().contains("the raster has 3 bands (2 not alpha)"), e.getMessage());
  }

  @Test
  void alphaZeroIsNodataAndOtherAlphasPassTheValues() throws Exception {
    // band 3 is alpha: 0 in the first column, 1 and 255 elsewhere
    RasterSource raster =
        new RasterSource() {
          public int width() {
            return 3;
          }

          public int height() {
            return 2;
          }

          public int bandCount() {
            return 4;
          }

          public OptionalDouble nodata(int band) {
            return OptionalDouble.empty();
          }

          public void read(int x, int y, int w, int h, int[] bands, float[] dest) {
            for (int i = 0; i < bands.length; i++) {
              for (int r = 0; r < h; r++) {
                for (int c = 0; c < w; c++) {
                  int col = x + c;
                  dest[(i * h + r) * w + c] =
                      bands[i] == 3 ? (col == 0 ? 0 : col == 1 ? 1 : 255) : 10 * bands[i] + col;
                }
              }
            }
          }
        };
    float[] out = new float[2 * 3 * 2];
    new AlphaMask(raster, 3).read(0, 0, 3, 2, new int[] {2, 0}, out);
    // band 3 (index 2) then band 1 (index 0), rows of 3
    assertArrayEquals(
        new float[] {Float.NaN, 21, 22, Float.NaN, 21, 22, Float.NaN, 1, 2, Float.NaN, 1, 2}, out);
    assertEquals(4, new AlphaMask(raster, 3).bandCount());
  }
}
