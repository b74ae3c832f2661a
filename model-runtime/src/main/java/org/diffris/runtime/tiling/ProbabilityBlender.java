package org.diffris.runtime.tiling;

import java.util.Arrays;

/**
 * Accumulates tile probabilities over a window of full-width raster rows and turns them into
 * blended probabilities: {@code p = sum(w * p_tile) / sum(w)} per pixel, in double precision, so
 * a constant input stays exactly constant and tile borders leave no seams. Nodata pixels come out
 * as probability 0 with validity 0. Rows leave the window in order with {@link #takeRows}; the
 * window then slides down, so memory stays {@code width x capacity}. Not thread-safe.
 */
public final class ProbabilityBlender {
  private final int width;
  private final int capacity;
  private final double[] weighted;
  private final double[] weights;
  private final byte[] valid;
  private int firstRow;

  /**
   * @param capacity rows the window holds: at least the tile height
   */
  public ProbabilityBlender(int width, int capacity) {
    this.width = width;
    this.capacity = capacity;
    this.weighted = new double[width * capacity];
    this.weights = new double[width * capacity];
    this.valid = new byte[width * capacity];
  }

  /** First raster row still in the window (rows above it were taken). */
  public int firstRow() {
    return firstRow;
  }

  /**
   * Adds the part of one tile that lies inside the raster.
   *
   * @param x first raster column of the part
   * @param y first raster row of the part
   * @param probabilities row-major, {@code stride} values per tile row, the part's first value at
   *     {@code offset}
   * @param colWeights weights per tile column, the part's first column at {@code colFrom};
   *     {@code rowWeights} per tile row, its first row at {@code rowFrom}
   */
  public void add(
      int x,
      int y,
      int width,
      int height,
      float[] probabilities,
      int offset,
      int stride,
      TileWindow colWeights,
      int colFrom,
      TileWindow rowWeights,
      int rowFrom) {
    checkRows(y, height);
    for (int r = 0; r < height; r++) {
      double wr = rowWeights.weight(rowFrom + r);
      int out = (y - firstRow + r) * this.width + x;
      int in = offset + r * stride;
      for (int c = 0; c < width; c++) {
        double w = wr * colWeights.weight(colFrom + c);
        weighted[out + c] += w * probabilities[in + c];
        weights[out + c] += w;
      }
    }
  }

  /** Marks pixels valid (non-zero) or nodata (0), for rows {@code y..y+height} of the raster. */
  public void setValidity(int y, int height, byte[] validity, int offset) {
    checkRows(y, height);
    System.arraycopy(validity, offset, valid, (y - firstRow) * width, height * width);
  }

  private void checkRows(int y, int height) {
    if (y < firstRow || y + height > firstRow + capacity) {
      throw new IllegalArgumentException(
          "rows "
              + y
              + ".."
              + (y + height)
              + " are outside the window "
              + firstRow
              + ".."
              + (firstRow + capacity));
    }
  }

  /**
   * Removes the first {@code count} rows of the window and returns their probabilities and
   * validity (fresh arrays of {@code width * count}); the window slides down by that much.
   */
  public Band takeRows(int count) {
    if (count < 0 || count > capacity) {
      throw new IllegalArgumentException(
          "cannot take " + count + " rows from a window of " + capacity);
    }
    int n = count * width;
    float[] p = new float[n];
    byte[] v = new byte[n];
    for (int i = 0; i < n; i++) {
      if (valid[i] != 0 && weights[i] > 0) {
        p[i] = (float) (weighted[i] / weights[i]);
        v[i] = 1;
      }
    }
    int keep = capacity * width - n;
    System.arraycopy(weighted, n, weighted, 0, keep);
    System.arraycopy(weights, n, weights, 0, keep);
    System.arraycopy(valid, n, valid, 0, keep);
    Arrays.fill(weighted, keep, weighted.length, 0);
    Arrays.fill(weights, keep, weights.length, 0);
    Arrays.fill(valid, keep, valid.length, (byte) 0);
    Band band = new Band(firstRow, count, p, v);
    firstRow += count;
    return band;
  }

  /** Final rows {@code firstRow..firstRow+height} of full raster width. */
  public record Band(int firstRow, int height, float[] probabilities, byte[] valid) {}
}
