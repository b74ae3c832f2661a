package org.diffris.runtime.tiling;

import java.io.IOException;
import java.util.OptionalDouble;

/**
 * A raster seen at the model's GSD, on the world-anchored {@link ModelGrid}: every read is
 * bilinear interpolation of the underlying raster's pixels (edges clamped). A model pixel is missing (NaN) when any raster pixel with
 * weight in its interpolation is nodata or NaN, so nodata never leaks into values. Plain bilinear,
 * no area averaging: below a factor of 0.5 details finer than a model pixel alias. Reads only the
 * raster rows and columns a request needs; bounded by the request's size.
 */
final class ResampledRaster implements RasterSource {
  private final RasterSource raster;
  private final ModelGrid grid;
  private final int width;
  private final int height;

  ResampledRaster(RasterSource raster, ModelGrid grid) {
    this.raster = raster;
    this.grid = grid;
    this.width = grid.width();
    this.height = grid.height();
  }

  @Override
  public int width() {
    return width;
  }

  @Override
  public int height() {
    return height;
  }

  @Override
  public int bandCount() {
    return raster.bandCount();
  }

  @Override
  public OptionalDouble nodata(int band) {
    return OptionalDouble.empty(); // missing pixels come out as NaN
  }

  @Override
  public void read(int x, int y, int w, int h, int[] bands, float[] dest) throws IOException {
    int rw = raster.width();
    int rh = raster.height();
    // Source index and weight of the right/lower neighbour for every output column and row.
    int[] col0 = new int[w];
    float[] colT = new float[w];
    int[] row0 = new int[h];
    float[] rowT = new float[h];
    axis(grid.columns(), x, w, col0, colT);
    axis(grid.rows(), y, h, row0, rowT);
    int sx = col0[0];
    int ex = Math.min(rw - 1, col0[w - 1] + 1);
    int sy = row0[0];
    int ey = Math.min(rh - 1, row0[h - 1] + 1);
    int sw = ex - sx + 1;
    int sh = ey - sy + 1;
    float[] src = new float[bands.length * sw * sh];
    raster.read(sx, sy, sw, sh, bands, src);
    for (int b = 0; b < bands.length; b++) {
      double nodata = raster.nodata(bands[b]).orElse(Double.NaN);
      int base = b * sw * sh;
      for (int r = 0; r < h; r++) {
        int r0 = row0[r] - sy;
        int r1 = Math.min(r0 + 1, sh - 1);
        float tr = rowT[r];
        for (int c = 0; c < w; c++) {
          int c0 = col0[c] - sx;
          int c1 = Math.min(c0 + 1, sw - 1);
          float tc = colT[c];
          float v00 = src[base + r0 * sw + c0];
          float v01 = src[base + r0 * sw + c1];
          float v10 = src[base + r1 * sw + c0];
          float v11 = src[base + r1 * sw + c1];
          float v;
          if (missing(v00, nodata)
              || (tc > 0 && missing(v01, nodata))
              || (tr > 0 && missing(v10, nodata))
              || (tc > 0 && tr > 0 && missing(v11, nodata))) {
            v = Float.NaN;
          } else {
            float top = tc > 0 ? v00 + (v01 - v00) * tc : v00;
            float bottom = tc > 0 ? v10 + (v11 - v10) * tc : v10;
            v = tr > 0 ? top + (bottom - top) * tr : top;
          }
          dest[(b * h + r) * w + c] = v;
        }
      }
    }
  }

  private static boolean missing(float v, double nodata) {
    return Float.isNaN(v) || v == nodata;
  }

  /**
   * For model pixels {@code start..start+count-1}: the raster pixel left of (above) their centre
   * and the weight of the one right of (below) it, clamped at the raster's edges.
   */
  static void axis(ModelGrid.Axis axis, int start, int count, int[] index, float[] t) {
    for (int i = 0; i < count; i++) {
      ModelGrid.between(axis.sourceCentre(start + i), axis.rasterLength, index, t, i);
    }
  }
}
