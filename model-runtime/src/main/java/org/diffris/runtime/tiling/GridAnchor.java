package org.diffris.runtime.tiling;

/**
 * Where a raster sits in the world, in its own pixels: the position of its first pixel's corner
 * counted from the CRS origin along the raster's columns and rows (for a north-up raster with
 * origin {@code (x0, y0)} and pixel size {@code (a, e)}: {@code (x0 / a, y0 / e)}). Crops,
 * windows and subsets of one raster share its pixel grid, so their anchors differ by whole
 * pixels; the tiler lays its model pixels and tiles on a grid fixed to this position, which is
 * why they all feed the model the same pixels wherever they overlap.
 *
 * <p>Values are snapped to 1/1024 of a pixel ({@link #of}): two windows of the same raster then
 * get anchors whose fractions are bitwise equal even when their origins were computed with
 * different rounding. Immutable.
 *
 * @param column the first pixel's corner in columns from the CRS origin
 * @param row the first pixel's corner in rows from the CRS origin
 */
public record GridAnchor(double column, double row) {
  /** The steps anchors are snapped to: 1/1024 of a pixel, exact in binary. */
  public static final double STEP = 1.0 / 1024;

  /** Beyond this many pixels from the origin the snap would lose precision: 2^40. */
  public static final double LIMIT = 0x1p40;

  /** The raster's own corner: tiles start at its first pixel (a raster without a world). */
  public static final GridAnchor CORNER = new GridAnchor(0, 0);

  public GridAnchor {
    if (!(Math.abs(column) <= LIMIT) || !(Math.abs(row) <= LIMIT)) {
      throw new IllegalArgumentException(
          "a grid anchor must be finite and within 2^40 pixels of the origin, got "
              + column
              + ", "
              + row);
    }
  }

  /**
   * The anchor at {@code (column, row)} snapped to {@link #STEP}, or {@link #CORNER} when the
   * position is too far from the origin (more than {@link #LIMIT} pixels) to snap exactly.
   */
  public static GridAnchor of(double column, double row) {
    if (!(Math.abs(column) <= LIMIT) || !(Math.abs(row) <= LIMIT)) {
      return CORNER;
    }
    return new GridAnchor(snap(column), snap(row));
  }

  private static double snap(double v) {
    return Math.rint(v / STEP) * STEP + 0.0; // + 0.0 turns -0.0 into 0.0
  }
}
