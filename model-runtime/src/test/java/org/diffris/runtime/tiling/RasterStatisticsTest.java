package org.diffris.runtime.tiling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Percentiles are the exact order statistics of the valid values, whatever extremes the raster
 * holds (the issue-26 class: one extreme pixel deciding a whole raster's scaling); infinities and
 * NaN are missing data, never a limit.
 */
class RasterStatisticsTest {
  /** The value sorted {@code percent} % of the way up: the smallest with that share at or below. */
  static double orderStatistic(float[] sorted, double percent) {
    int n = sorted.length;
    long k = Math.min(n, Math.max(1, (long) Math.ceil(percent / 100 * n)));
    return sorted[(int) k - 1];
  }

  @Test
  void percentilesAreExactWhateverTheExtremes() throws IOException {
    double[] percents = {0, 0.01, 2, 50, 98, 99.9, 99.99, 100};
    for (int seed = 0; seed < 6; seed++) {
      Random random = new Random(seed);
      int w = 97;
      int h = 83;
      float[][] bands = new float[2][w * h];
      for (float[] band : bands) {
        for (int i = 0; i < band.length; i++) {
          band[i] =
              switch (seed % 3) {
                case 0 -> random.nextFloat(); // 0-1
                case 1 -> (float) (random.nextGaussian() * 1000); // negative too
                default -> random.nextInt(2048); // 11-bit integers
              };
        }
        // a handful of extremes, finite and not
        band[random.nextInt(band.length)] = 1e30f;
        band[random.nextInt(band.length)] = -3e38f;
        band[random.nextInt(band.length)] = Float.POSITIVE_INFINITY;
        band[random.nextInt(band.length)] = Float.NEGATIVE_INFINITY;
        band[random.nextInt(band.length)] = Float.NaN;
        band[random.nextInt(band.length)] = -0.0f;
      }
      ArrayRaster raster = new ArrayRaster(w, h, bands, null);
      float[] pooled = finiteSorted(bands[0], bands[1]);
      RasterStatistics.Census census = RasterStatistics.census(raster, new int[] {0, 1}, true);
      assertEquals(pooled.length, census.count(), "seed " + seed);
      assertEquals(pooled[0], census.min());
      assertEquals(pooled[pooled.length - 1], census.max());
      double[][] measured = RasterStatistics.percentiles(raster, census, percents);
      for (int p = 0; p < percents.length; p++) {
        assertEquals(
            orderStatistic(pooled, percents[p]),
            measured[p][0],
            "seed " + seed + ", " + percents[p] + " %");
      }
      // per band, through the two-limit method
      double[][] perBand = RasterStatistics.percentiles(raster, new int[] {0, 1}, 2, 98);
      for (int b = 0; b < 2; b++) {
        float[] one = finiteSorted(bands[b]);
        assertEquals(orderStatistic(one, 2), perBand[0][b], "seed " + seed + " band " + b);
        assertEquals(orderStatistic(one, 98), perBand[1][b], "seed " + seed + " band " + b);
      }
    }
  }

  static float[] finiteSorted(float[]... bands) {
    int n = 0;
    for (float[] b : bands) {
      for (float v : b) {
        n += Float.isFinite(v) ? 1 : 0;
      }
    }
    float[] all = new float[n];
    int i = 0;
    for (float[] b : bands) {
      for (float v : b) {
        if (Float.isFinite(v)) {
          all[i++] = v + 0.0f; // -0 is 0
        }
      }
    }
    Arrays.sort(all);
    return all;
  }

  @Test
  void theCensusCountsAroundItsCutsAndLeavesMissingValuesOut() throws IOException {
    float[] values = {-1, -0.0f, 0, 0.5f, 1, 1.5f, 255, 256, Float.NaN, Float.NEGATIVE_INFINITY};
    ArrayRaster raster = new ArrayRaster(values.length, 1, new float[][] {values}, 256.0);
    RasterStatistics.Census c = RasterStatistics.census(raster, new int[] {0}, true, 0, 1, 255);
    assertEquals(7, c.count()); // NaN, -inf and the nodata value 256 left out
    assertEquals(-1, c.min());
    assertEquals(255, c.max());
    assertEquals(1, c.below(0));
    assertEquals(4, c.above(0));
    assertEquals(2, c.above(1));
    assertEquals(0, c.above(2));
    assertEquals(6, c.below(2));
    assertArrayEquals(new double[] {-1, 255}, RasterStatistics.range(raster, new int[] {0}));
  }

  @Test
  void aRasterWithoutValidValuesHasNoLimits() throws IOException {
    float[] values = {Float.NaN, Float.POSITIVE_INFINITY, 7};
    ArrayRaster raster = new ArrayRaster(3, 1, new float[][] {values}, 7.0);
    assertTrue(Double.isNaN(RasterStatistics.range(raster, new int[] {0})[0]));
    assertArrayEquals(
        new double[] {0, 0}, RasterStatistics.pooledPercentiles(raster, new int[] {0}, 2, 98));
  }
}
