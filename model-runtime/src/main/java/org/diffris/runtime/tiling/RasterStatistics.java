package org.diffris.runtime.tiling;

import java.io.IOException;
import java.util.Arrays;

/**
 * Whole-raster value limits per band, for {@link PixelScaling#stretch}: the low and high
 * percentiles of the valid (non-nodata, non-NaN) values. Two passes over the raster in strips of
 * {@link #STRIP_ROWS} rows (minimum/maximum, then a 4,096-bin histogram), so memory stays one strip
 * and the percentiles are exact to 1/4,096 of the value range.
 */
public final class RasterStatistics {
  public static final int STRIP_ROWS = 64;
  private static final int BINS = 4096;

  private RasterStatistics() {}

  /** Percentile limits, {@code [0] = low per band, [1] = high per band}. */
  public static double[][] percentiles(
      RasterSource source, int[] bands, double lowPercent, double highPercent) throws IOException {
    if (!(0 <= lowPercent && lowPercent < highPercent && highPercent <= 100)) {
      throw new IllegalArgumentException(
          "percentiles must satisfy 0 <= low < high <= 100, got "
              + lowPercent
              + " and "
              + highPercent);
    }
    int n = bands.length;
    double[] min = new double[n];
    double[] max = new double[n];
    Arrays.fill(min, Double.POSITIVE_INFINITY);
    Arrays.fill(max, Double.NEGATIVE_INFINITY);
    long[][] hist = new long[n][BINS];
    for (int pass = 0; pass < 2; pass++) {
      int w = source.width();
      float[] strip = new float[n * w * Math.min(STRIP_ROWS, source.height())];
      for (int y = 0; y < source.height(); y += STRIP_ROWS) {
        int h = Math.min(STRIP_ROWS, source.height() - y);
        source.read(0, y, w, h, bands, strip);
        for (int b = 0; b < n; b++) {
          double nodata = source.nodata(bands[b]).orElse(Double.NaN);
          for (int i = b * w * h, end = i + w * h; i < end; i++) {
            float v = strip[i];
            if (Float.isNaN(v) || v == nodata) {
              continue;
            }
            if (pass == 0) {
              min[b] = Math.min(min[b], v);
              max[b] = Math.max(max[b], v);
            } else {
              hist[b][bin(v, min[b], max[b])]++;
            }
          }
        }
      }
    }
    double[][] limits = new double[2][n];
    for (int b = 0; b < n; b++) {
      if (min[b] > max[b]) { // no valid value at all
        limits[0][b] = 0;
        limits[1][b] = 0;
        continue;
      }
      limits[0][b] = value(hist[b], lowPercent, min[b], max[b], false);
      limits[1][b] = value(hist[b], highPercent, min[b], max[b], true);
    }
    return limits;
  }

  private static int bin(float v, double min, double max) {
    if (max <= min) {
      return 0;
    }
    return (int) Math.min(BINS - 1, (v - min) / (max - min) * BINS);
  }

  private static double value(long[] hist, double percent, double min, double max, boolean upper) {
    long total = 0;
    for (long c : hist) {
      total += c;
    }
    double target = percent / 100 * total;
    long seen = 0;
    for (int i = 0; i < BINS; i++) {
      seen += hist[i];
      if (seen >= target && (seen > 0 || !upper)) {
        // The bin's upper edge for the high limit, its lower edge for the low one.
        return min + (max - min) * (upper ? (i + 1) : i) / BINS;
      }
    }
    return max;
  }
}
