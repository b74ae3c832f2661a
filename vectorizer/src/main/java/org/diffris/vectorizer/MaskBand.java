package org.diffris.vectorizer;

/**
 * A horizontal band of mask rows {@code [firstRow, firstRow + height)}, full raster width, stored
 * row-major (index {@code row * width + col}, rows relative to the band). Either binary (non-zero
 * = in) or probabilities ({@code p >= threshold} = in). An optional validity array marks nodata
 * with 0; nodata pixels, and NaN probabilities, are never in. Arrays may be longer than
 * {@code width * height}; the extra entries are ignored. The band keeps references to the arrays
 * (no copy): do not change them until the band has been accepted.
 */
public final class MaskBand {

  private final int firstRow;
  private final int width;
  private final int height;
  private final byte[] mask;
  private final float[] probabilities;
  private final byte[] valid;

  private MaskBand(
      int firstRow, int width, int height, byte[] mask, float[] probabilities, byte[] valid) {
    this.firstRow = firstRow;
    this.width = width;
    this.height = height;
    this.mask = mask;
    this.probabilities = probabilities;
    this.valid = valid;
  }

  /**
   * A binary band.
   *
   * @param mask non-zero = in, at least {@code width * height} values
   * @param valid {@code null} when every pixel is valid; otherwise 0 marks nodata (never in)
   */
  public static MaskBand binary(int firstRow, int width, int height, byte[] mask, byte[] valid) {
    checkShape(firstRow, width, height);
    checkLength("mask", mask == null ? -1 : mask.length, width, height);
    if (valid != null) {
      checkLength("validity", valid.length, width, height);
    }
    return new MaskBand(firstRow, width, height, mask, null, valid);
  }

  /**
   * A band of probabilities; a pixel is in when {@code p >= threshold} of the options.
   *
   * @param probabilities at least {@code width * height} values; NaN marks nodata
   * @param valid {@code null} when every pixel is valid; otherwise 0 marks nodata (never in)
   */
  public static MaskBand probabilities(
      int firstRow, int width, int height, float[] probabilities, byte[] valid) {
    checkShape(firstRow, width, height);
    checkLength("probability", probabilities == null ? -1 : probabilities.length, width, height);
    if (valid != null) {
      checkLength("validity", valid.length, width, height);
    }
    return new MaskBand(firstRow, width, height, null, probabilities, valid);
  }

  private static void checkShape(int firstRow, int width, int height) {
    if (firstRow < 0) {
      throw new IllegalArgumentException("band first row must be >= 0, got " + firstRow);
    }
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "band width and height must be >= 1, got " + width + " x " + height);
    }
    if ((long) width * height > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "band of "
              + width
              + " x "
              + height
              + " pixels is too large for one Java array; split it into bands of fewer rows");
    }
  }

  private static void checkLength(String what, int length, int width, int height) {
    if (length < 0) {
      throw new IllegalArgumentException(what + " array must not be null");
    }
    if (length < width * height) {
      throw new IllegalArgumentException(
          what
              + " array has "
              + length
              + " values, a band of "
              + width
              + " x "
              + height
              + " pixels needs "
              + width * height);
    }
  }

  public int firstRow() {
    return firstRow;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** Whether this band carries probabilities (else it is binary). */
  public boolean hasProbabilities() {
    return probabilities != null;
  }

  /**
   * Writes the runs of in-pixels of one band row as half-open column intervals
   * {@code [starts[k], ends[k])}, left to right, maximal (separated by at least one out pixel),
   * and, for probability bands, each run's probability sum. Returns the number of runs.
   * The arrays must hold at least {@code width / 2 + 1} entries.
   */
  int runsOfRow(int rowInBand, double threshold, int[] starts, int[] ends, double[] sums) {
    int base = rowInBand * width;
    int n = 0;
    int col = 0;
    if (probabilities == null) {
      final byte[] m = mask;
      final byte[] v = valid;
      while (col < width) {
        while (col < width && (m[base + col] == 0 || (v != null && v[base + col] == 0))) {
          col++;
        }
        if (col == width) {
          break;
        }
        starts[n] = col;
        while (col < width && m[base + col] != 0 && (v == null || v[base + col] != 0)) {
          col++;
        }
        ends[n++] = col;
      }
      return n;
    }
    final float[] p = probabilities;
    final byte[] v = valid;
    // Compared at the probabilities' own float32 precision: a pixel holding exactly the threshold
    // (0.9f, say) is in, as it is for GDAL on a float32 band. p >= t is false for NaN: never in.
    final float t = (float) threshold;
    while (col < width) {
      while (col < width && !(p[base + col] >= t && (v == null || v[base + col] != 0))) {
        col++;
      }
      if (col == width) {
        break;
      }
      starts[n] = col;
      double sum = 0;
      while (col < width && p[base + col] >= t && (v == null || v[base + col] != 0)) {
        sum += p[base + col];
        col++;
      }
      ends[n] = col;
      sums[n++] = sum;
    }
    return n;
  }
}
