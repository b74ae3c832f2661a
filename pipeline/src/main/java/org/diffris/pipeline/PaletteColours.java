package org.diffris.pipeline;

import java.io.IOException;
import java.util.List;
import org.diffris.runtime.tiling.RasterSource;

/**
 * A palette raster (one band of indices into a colour table, as GDAL writes classified maps and
 * reduced-colour images) read as the red, green and blue bands of its colours, 0 to 255: the
 * picture the model is meant to see. Its indices are no brightness (index 12 may be white and 13
 * black), so feeding them as grey would be a wrong answer. Pixels at the raster's nodata index,
 * NaN indices and indices past the table read NaN, missing data. Immutable.
 */
public final class PaletteColours implements RasterSource {
  /** The roles of the three bands this source gives. */
  public static final List<BandRole> ROLES = List.of(BandRole.RED, BandRole.GREEN, BandRole.BLUE);

  private final RasterSource indices;
  private final int[][] table;

  /**
   * @param indices a raster whose band 0 holds the palette indices
   * @param red the red of every index, 0 to 255 (as long as the table)
   * @param green the green of every index
   * @param blue the blue of every index
   */
  public PaletteColours(RasterSource indices, int[] red, int[] green, int[] blue) {
    if (red.length != green.length || red.length != blue.length || red.length == 0) {
      throw new IllegalArgumentException(
          "a palette needs as many reds, greens and blues, got "
              + red.length
              + ", "
              + green.length
              + " and "
              + blue.length);
    }
    this.indices = indices;
    this.table = new int[][] {red.clone(), green.clone(), blue.clone()};
  }

  @Override
  public int width() {
    return indices.width();
  }

  @Override
  public int height() {
    return indices.height();
  }

  @Override
  public int bandCount() {
    return 3;
  }

  @Override
  public void read(int x, int y, int width, int height, int[] bands, float[] dest)
      throws IOException {
    int n = width * height;
    float[] index = new float[n];
    indices.read(x, y, width, height, new int[] {0}, index);
    double nodata = indices.nodata(0).orElse(Double.NaN);
    for (int b = 0; b < bands.length; b++) {
      if (bands[b] < 0 || bands[b] > 2) {
        throw new IllegalArgumentException(
            "band " + bands[b] + " requested, a palette raster reads as 3");
      }
      int[] colour = table[bands[b]];
      for (int i = 0; i < n; i++) {
        float v = index[i];
        dest[b * n + i] =
            v >= 0 && v < colour.length && v == (int) v && v != nodata
                ? colour[(int) v]
                : Float.NaN;
      }
    }
  }
}
