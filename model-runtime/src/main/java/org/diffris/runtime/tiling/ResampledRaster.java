package org.diffris.runtime.tiling;

import java.io.IOException;
import java.util.OptionalDouble;

/**
 * A raster seen at the model's GSD, on the world-anchored {@link ModelGrid}, axis by axis: along
 * an axis whose factor is 0.5 or more a model pixel is the bilinear interpolation of the two
 * raster pixels round its centre (edges clamped); below 0.5 it is the area average of the raster
 * pixels it covers (the part inside the raster), so drone imagery at 2 cm reaches a 1 m model
 * without aliasing. A model pixel is missing (NaN) when any raster pixel with weight in it is
 * nodata or NaN, so nodata never leaks into values.
 *
 * <p>Memory: a read of {@code h} model rows reads the raster in runs of at most {@link
 * #maxRowsPerRead} rows (the model rows' raster rows, or one model row's when that is more), full
 * width, and holds one run and one model row's raster rows resampled along the columns; never more
 * of the raster.
 */
final class ResampledRaster implements RasterSource {
  private final RasterSource raster;
  private final ModelGrid grid;
  private final int width;
  private final int height;
  private int largestRead;

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

  /**
   * The most raster rows one read of {@code modelRows} model rows asks of the raster, for a
   * factor of {@code rowFactor} along the rows: {@code 2 modelRows + 2}, or the rows one model
   * row covers plus one when those are more (below a factor of {@code 1 / (2 modelRows)}).
   */
  static long maxRowsPerRead(long modelRows, double rowFactor) {
    return Math.max(2 * modelRows + 2, (long) Math.ceil(1 / rowFactor) + 1);
  }

  /** The most raster rows one read has asked for so far (for tests of the memory bound). */
  int largestRead() {
    return largestRead;
  }

  @Override
  public void read(int x, int y, int w, int h, int[] bands, float[] dest) throws IOException {
    Taps cols = Taps.of(grid.columns(), x, w);
    Taps rows = Taps.of(grid.rows(), y, h);
    int sx = cols.first[0];
    int sw = cols.end(w - 1) - sx;
    long limit = maxRowsPerRead(h, grid.rows().factor);
    float[] line = new float[0];
    int m = 0;
    while (m < h) {
      // The model rows whose raster rows fit in one read.
      int sy = rows.first[m];
      int ey = rows.end(m);
      int next = m + 1;
      while (next < h && rows.end(next) - sy <= limit) {
        ey = Math.max(ey, rows.end(next));
        next++;
      }
      int sh = ey - sy;
      largestRead = Math.max(largestRead, sh);
      float[] src = new float[bands.length * sw * sh];
      raster.read(sx, sy, sw, sh, bands, src);
      for (int b = 0; b < bands.length; b++) {
        double nodata = raster.nodata(bands[b]).orElse(Double.NaN);
        int base = b * sw * sh;
        for (int i = base; i < base + sw * sh; i++) {
          if (src[i] == nodata) {
            src[i] = Float.NaN;
          }
        }
        // Each model row: its raster rows resampled along the columns, then combined.
        for (int k = m; k < next; k++) {
          int first = rows.first[k];
          int count = rows.count[k];
          line = grow(line, count * w);
          for (int q = 0; q < count; q++) {
            cols.apply(src, base + (first + q - sy) * sw - sx, 1, line, q * w, w);
          }
          for (int c = 0; c < w; c++) {
            dest[(b * h + k) * w + c] = rows.at(k, line, c - first * w, w);
          }
        }
      }
      m = next;
    }
  }

  private static float[] grow(float[] array, int length) {
    return array != null && array.length >= length ? array : new float[length];
  }

  /**
   * For a run of model pixels along one axis: the raster pixels each one is made of and their
   * weights, bilinear (a left pixel and the weight of the next) or area averaged (a run of pixels
   * and their shares of the model pixel inside the raster).
   */
  static final class Taps {
    final int[] first;
    final int[] count;

    /** Bilinear: the weight of the second pixel (0: the first alone). */
    final float[] next;

    /** Area averages: the weights of the pixels, summing to 1; null when bilinear. */
    final float[][] shares;

    private Taps(int n, boolean averages) {
      first = new int[n];
      count = new int[n];
      next = averages ? null : new float[n];
      shares = averages ? new float[n][] : null;
    }

    static Taps of(ModelGrid.Axis axis, int start, int n) {
      Taps taps = new Taps(n, axis.averages());
      for (int i = 0; i < n; i++) {
        if (taps.shares == null) {
          ModelGrid.between(
              axis.sourceCentre(start + i), axis.rasterLength, taps.first, taps.next, i);
          taps.count[i] = taps.next[i] > 0 ? 2 : 1;
        } else {
          taps.average(
              i, axis.sourceEdge(start + i), axis.sourceEdge(start + i + 1), axis.rasterLength);
        }
      }
      return taps;
    }

    /** The pixels of the raster between corners {@code lo} and {@code hi}, inside the raster. */
    private void average(int i, double lo, double hi, int length) {
      double from = Math.max(0, Math.min(length, lo));
      double to = Math.max(0, Math.min(length, hi));
      int a = (int) Math.min(length - 1, Math.floor(from));
      int b = Math.max(a + 1, (int) Math.ceil(to));
      double[] overlap = new double[b - a];
      double total = 0;
      for (int p = a; p < b; p++) {
        overlap[p - a] = Math.max(0, Math.min(to, p + 1) - Math.max(from, p));
        total += overlap[p - a];
      }
      float[] w = new float[b - a];
      if (total > 0) {
        for (int p = 0; p < w.length; p++) {
          w[p] = (float) (overlap[p] / total);
        }
      } else {
        w[0] = 1; // a model pixel touching the raster only within rounding: its nearest pixel
      }
      first[i] = a;
      count[i] = b - a;
      shares[i] = w;
    }

    /** One past the last raster pixel of model pixel {@code i}. */
    int end(int i) {
      return first[i] + count[i];
    }

    /**
     * Resamples one line: model pixel {@code j} of {@code n} goes to {@code out[at + j]}, made of
     * {@code in[offset + p * stride]} for its raster pixels {@code p}.
     */
    void apply(float[] in, int offset, int stride, float[] out, int at, int n) {
      for (int j = 0; j < n; j++) {
        out[at + j] = at(j, in, offset, stride);
      }
    }

    /** Model pixel {@code j} from {@code in[offset + p * stride]}; NaN when one of them is. */
    float at(int j, float[] in, int offset, int stride) {
      int p = first[j];
      if (shares == null) {
        float v0 = in[offset + p * stride];
        float t = next[j];
        // The same arithmetic as plain bilinear interpolation, so answers at factors of 0.5 and
        // above are the ones they always were.
        return t > 0 ? v0 + (in[offset + (p + 1) * stride] - v0) * t : v0;
      }
      float[] w = shares[j];
      double sum = 0;
      for (int q = 0; q < w.length; q++) {
        sum += w[q] * (double) in[offset + (p + q) * stride];
      }
      return (float) sum;
    }
  }
}
