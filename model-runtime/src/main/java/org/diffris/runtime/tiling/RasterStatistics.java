package org.diffris.runtime.tiling;

import java.io.IOException;
import java.util.Arrays;

/**
 * Whole-raster value limits, for {@link PixelScaling#stretch}: the smallest and largest valid
 * value of the selected bands together ({@link #range}, one pass), and the low and high
 * percentiles of the valid (non-nodata, non-NaN) values, per band or of all selected bands
 * pooled (two passes: minimum/maximum, then a 4,096-bin histogram). Reads the raster in strips of
 * {@link #STRIP_ROWS} rows, so memory stays one strip; percentiles are exact to 1/4,096 of the
 * value range.
 */
public final class RasterStatistics {
  public static final int STRIP_ROWS = 64;
  private static final int BINS = 4096;

  private RasterStatistics() {}

  /**
   * The smallest and largest valid value of the selected bands together, {@code {min, max}}, or
   * {@code {NaN, NaN}} when no value is valid.
   */
  public static double[] range(RasterSource source, int[] bands) throws IOException {
    double[][] limits = minMax(source, bands, true);
    double min = limits[0][0];
    double max = limits[1][0];
    return min > max ? new double[] {Double.NaN, Double.NaN} : new double[] {min, max};
  }

  /**
   * Percentile limits of all selected bands' values pooled, {@code {low, high}}: one pair that
   * keeps the bands' balance (colours), {@code {0, 0}} when no value is valid.
   */
  public static double[] pooledPercentiles(
      RasterSource source, int[] bands, double lowPercent, double highPercent) throws IOException {
    return pooledPercentiles(source, bands, lowPercent, highPercent, null);
  }

  /**
   * {@link #pooledPercentiles(RasterSource, int[], double, double)} given the {@link #range} of
   * the same bands, measured already: one pass over the raster instead of two.
   *
   * @param range {@code {min, max}} from {@link #range}, or null to measure it
   */
  public static double[] pooledPercentiles(
      RasterSource source, int[] bands, double lowPercent, double highPercent, double[] range)
      throws IOException {
    double[][] limits = percentiles(source, bands, lowPercent, highPercent, true, range);
    return new double[] {limits[0][0], limits[1][0]};
  }

  /** Percentile limits, {@code [0] = low per band, [1] = high per band}. */
  public static double[][] percentiles(
      RasterSource source, int[] bands, double lowPercent, double highPercent) throws IOException {
    return percentiles(source, bands, lowPercent, highPercent, false, null);
  }

  private static double[][] percentiles(
      RasterSource source,
      int[] bands,
      double lowPercent,
      double highPercent,
      boolean pooled,
      double[] knownRange)
      throws IOException {
    if (!(0 <= lowPercent && lowPercent < highPercent && highPercent <= 100)) {
      throw new IllegalArgumentException(
          "percentiles must satisfy 0 <= low < high <= 100, got "
              + lowPercent
              + " and "
              + highPercent);
    }
    int n = bands.length;
    double[] min;
    double[] max;
    if (pooled && knownRange != null) {
      if (Double.isNaN(knownRange[0])) {
        return new double[2][n]; // no valid value at all
      }
      min = new double[] {knownRange[0]};
      max = new double[] {knownRange[1]};
    } else {
      double[][] limits = minMax(source, bands, pooled);
      min = limits[0];
      max = limits[1];
    }
    long[][] hist = new long[pooled ? 1 : n][BINS];
    forEachBand(
        source,
        bands,
        (strip, from, end, nodata, b) -> {
          int k = pooled ? 0 : b; // pooled: every band counts in the first band's slot
          for (int i = from; i < end; i++) {
            float v = strip[i];
            if (!Float.isNaN(v) && v != nodata) {
              hist[k][bin(v, min[k], max[k])]++;
            }
          }
        });
    double[][] limits = new double[2][n];
    for (int b = 0; b < (pooled ? 1 : n); b++) {
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

  /**
   * The smallest and largest valid value, {@code [0] = min, [1] = max}, per band or, pooled, of
   * all bands together in slot 0; a slot without a valid value has min above max.
   */
  private static double[][] minMax(RasterSource source, int[] bands, boolean pooled)
      throws IOException {
    int slots = pooled ? 1 : bands.length;
    double[] min = new double[slots];
    double[] max = new double[slots];
    Arrays.fill(min, Double.POSITIVE_INFINITY);
    Arrays.fill(max, Double.NEGATIVE_INFINITY);
    forEachBand(
        source,
        bands,
        (strip, from, end, nodata, b) -> {
          int k = pooled ? 0 : b;
          for (int i = from; i < end; i++) {
            float v = strip[i];
            if (!Float.isNaN(v) && v != nodata) {
              min[k] = Math.min(min[k], v);
              max[k] = Math.max(max[k], v);
            }
          }
        });
    return new double[][] {min, max};
  }

  /** The values of one band in one strip: {@code strip[from..end)}, its nodata value, its index. */
  private interface BandValues {
    void accept(float[] strip, int from, int end, double nodata, int band);
  }

  /** Reads the raster strip by strip and hands each band's values on (one call a band, not a value). */
  private static void forEachBand(RasterSource source, int[] bands, BandValues visit)
      throws IOException {
    int n = bands.length;
    int w = source.width();
    float[] strip = new float[n * w * Math.min(STRIP_ROWS, source.height())];
    for (int y = 0; y < source.height(); y += STRIP_ROWS) {
      int h = Math.min(STRIP_ROWS, source.height() - y);
      source.read(0, y, w, h, bands, strip);
      for (int b = 0; b < n; b++) {
        visit.accept(
            strip, b * w * h, (b + 1) * w * h, source.nodata(bands[b]).orElse(Double.NaN), b);
      }
    }
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
