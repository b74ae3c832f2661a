package org.diffris.runtime.tiling;

import java.io.IOException;
import java.util.Arrays;

/**
 * Whole-raster value statistics of the selected bands, per band or pooled, for {@link
 * PixelScaling#stretch}: a {@link Census} (one pass: how many valid values, their minimum and
 * maximum, how many lie above or below given cuts) and exact percentiles (one more pass). A value
 * is valid when it is finite (NaN and the infinities are missing data, never a limit) and not the
 * band's nodata value.
 *
 * <p>Percentiles are the exact order statistics of the values as floats, found in two histograms
 * of 65,536 bins over the values' bit patterns (ordered as the floats are): the first, kept by the
 * census, places each percentile within a bin of 1/128 of an octave, the second finds its value in
 * that bin. So a few extreme values (1e30 among values of 0 to 1) cannot blur the others, as a
 * histogram over the value range would. Memory: one strip of {@link #STRIP_ROWS} rows and the
 * histograms (512 KB each: one per band or one pooled, one per percentile).
 */
public final class RasterStatistics {
  public static final int STRIP_ROWS = 64;
  private static final int BINS = 1 << 16;

  private RasterStatistics() {}

  /**
   * What one pass over the valid values of the selected bands found, pooled (one slot) or per
   * band (a slot each).
   */
  public static final class Census {
    private final int[] bands;
    private final boolean pooled;
    private final double[] cuts;
    private final long[] count;
    private final double[] min;
    private final double[] max;
    private final long[][] above;
    private final long[][] below;
    private final long[][] coarse;

    private Census(int[] bands, boolean pooled, double[] cuts) {
      this.bands = bands.clone();
      this.pooled = pooled;
      this.cuts = cuts.clone();
      int slots = pooled ? 1 : bands.length;
      count = new long[slots];
      min = new double[slots];
      max = new double[slots];
      Arrays.fill(min, Double.POSITIVE_INFINITY);
      Arrays.fill(max, Double.NEGATIVE_INFINITY);
      above = new long[slots][cuts.length];
      below = new long[slots][cuts.length];
      coarse = new long[slots][BINS];
    }

    private int slots() {
      return count.length;
    }

    /** Valid values of the first slot (all bands when pooled). */
    public long count() {
      return count[0];
    }

    /** The smallest valid value of the first slot, NaN when there is none. */
    public double min() {
      return count[0] == 0 ? Double.NaN : min[0];
    }

    /** The largest valid value of the first slot, NaN when there is none. */
    public double max() {
      return count[0] == 0 ? Double.NaN : max[0];
    }

    /** Valid values of the first slot above {@code cuts[cut]}. */
    public long above(int cut) {
      return above[0][cut];
    }

    /** Valid values of the first slot below {@code cuts[cut]}. */
    public long below(int cut) {
      return below[0][cut];
    }

    private void add(int slot, float v) {
      count[slot]++;
      min[slot] = Math.min(min[slot], v);
      max[slot] = Math.max(max[slot], v);
      for (int c = 0; c < cuts.length; c++) {
        if (v > cuts[c]) {
          above[slot][c]++;
        } else if (v < cuts[c]) {
          below[slot][c]++;
        }
      }
      coarse[slot][key(v) >>> 16]++;
    }
  }

  /**
   * One pass over the valid values of {@code bands}: their count, minimum, maximum, and how many
   * lie above and below each of {@code cuts}; and what {@link #percentiles(RasterSource, Census,
   * double...)} needs to find any percentile in one more pass.
   *
   * @param pooled all bands together (one slot) or each band on its own
   */
  public static Census census(RasterSource source, int[] bands, boolean pooled, double... cuts)
      throws IOException {
    Census census = new Census(bands, pooled, cuts);
    forEachBand(
        source,
        bands,
        (strip, from, end, nodata, b) -> {
          int slot = pooled ? 0 : b;
          for (int i = from; i < end; i++) {
            float v = strip[i];
            if (Float.isFinite(v) && v != nodata) {
              census.add(slot, v);
            }
          }
        });
    return census;
  }

  /**
   * The exact {@code percents} (0 to 100) of the values a census counted, one more pass over the
   * raster (none when only 0 and 100 are asked): {@code [p][slot]}, the smallest value with at
   * least {@code percents[p]} % of the values at or below it (0 is the minimum, 100 the maximum);
   * 0 for a slot without a valid value.
   */
  public static double[][] percentiles(RasterSource source, Census census, double... percents)
      throws IOException {
    for (double p : percents) {
      if (!(0 <= p && p <= 100)) {
        throw new IllegalArgumentException("percentiles must be within 0 to 100, got " + p);
      }
    }
    int slots = census.slots();
    double[][] result = new double[percents.length][slots];
    // Per slot and percentile: the coarse bin holding it and its rank within that bin.
    int[][] bin = new int[percents.length][slots];
    long[][] rank = new long[percents.length][slots];
    long[][][] fine = new long[percents.length][slots][];
    boolean pass = false;
    for (int p = 0; p < percents.length; p++) {
      for (int s = 0; s < slots; s++) {
        long n = census.count[s];
        bin[p][s] = -1;
        if (n == 0) {
          continue;
        }
        long k = Math.min(n, Math.max(1, (long) Math.ceil(percents[p] / 100 * n)));
        if (k == 1 || k == n) {
          result[p][s] = k == 1 ? census.min[s] : census.max[s];
          continue;
        }
        long seen = 0;
        int b = 0;
        while (seen + census.coarse[s][b] < k) {
          seen += census.coarse[s][b++];
        }
        bin[p][s] = b;
        rank[p][s] = k - seen;
        // one fine histogram per bin asked for, shared by percentiles in the same bin
        for (int q = 0; q < p && fine[p][s] == null; q++) {
          if (bin[q][s] == b) {
            fine[p][s] = fine[q][s];
          }
        }
        if (fine[p][s] == null) {
          fine[p][s] = new long[BINS];
        }
        pass = true;
      }
    }
    if (pass) {
      forEachBand(
          source,
          census.bands,
          (strip, from, end, nodata, b) -> {
            int s = census.pooled ? 0 : b;
            for (int i = from; i < end; i++) {
              float v = strip[i];
              if (Float.isFinite(v) && v != nodata) {
                int key = key(v);
                int top = key >>> 16;
                for (int p = 0; p < percents.length; p++) {
                  if (bin[p][s] == top) {
                    fine[p][s][key & 0xffff]++;
                    break; // percentiles in the same bin share its histogram
                  }
                }
              }
            }
          });
    }
    for (int p = 0; p < percents.length; p++) {
      for (int s = 0; s < slots; s++) {
        if (bin[p][s] < 0) {
          continue;
        }
        long seen = 0;
        int j = 0;
        while (seen + fine[p][s][j] < rank[p][s]) {
          seen += fine[p][s][j++];
        }
        result[p][s] = value((bin[p][s] << 16) | j);
      }
    }
    return result;
  }

  /**
   * The smallest and largest valid value of the selected bands together, {@code {min, max}}, or
   * {@code {NaN, NaN}} when no value is valid.
   */
  public static double[] range(RasterSource source, int[] bands) throws IOException {
    Census census = census(source, bands, true);
    return new double[] {census.min(), census.max()};
  }

  /**
   * Percentile limits of all selected bands' values pooled, {@code {low, high}}: one pair that
   * keeps the bands' balance (colours), {@code {0, 0}} when no value is valid. Two passes.
   */
  public static double[] pooledPercentiles(
      RasterSource source, int[] bands, double lowPercent, double highPercent) throws IOException {
    checkPercents(lowPercent, highPercent);
    double[][] limits = percentiles(source, census(source, bands, true), lowPercent, highPercent);
    return new double[] {limits[0][0], limits[1][0]};
  }

  /** Percentile limits per band, {@code [0] = low per band, [1] = high per band}. Two passes. */
  public static double[][] percentiles(
      RasterSource source, int[] bands, double lowPercent, double highPercent) throws IOException {
    checkPercents(lowPercent, highPercent);
    return percentiles(source, census(source, bands, false), lowPercent, highPercent);
  }

  private static void checkPercents(double lowPercent, double highPercent) {
    if (!(0 <= lowPercent && lowPercent < highPercent && highPercent <= 100)) {
      throw new IllegalArgumentException(
          "percentiles must satisfy 0 <= low < high <= 100, got "
              + lowPercent
              + " and "
              + highPercent);
    }
  }

  /**
   * The float's bit pattern as an int whose unsigned order is the floats' order (-0 taken as 0):
   * the sign bit flipped for positive values, every bit for negative ones.
   */
  static int key(float v) {
    int bits = Float.floatToRawIntBits(v + 0.0f);
    return bits ^ ((bits >> 31) | 0x80000000);
  }

  /** The float whose {@link #key} is {@code key}. */
  static double value(int key) {
    return Float.intBitsToFloat(key < 0 ? key ^ 0x80000000 : ~key);
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
}
