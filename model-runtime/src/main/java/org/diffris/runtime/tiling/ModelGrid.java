package org.diffris.runtime.tiling;

/**
 * The model's pixels over a raster, on a grid fixed to the world rather than to the raster's
 * corner: along each axis, model pixel {@code k} (a whole number counted from the CRS origin)
 * covers raster pixel positions {@code k / factor .. (k + 1) / factor} measured from the CRS
 * origin ({@link GridAnchor}); each axis has its own factor, so pixels that are not square on the
 * ground become square model pixels. The model grid of a raster is the run of model pixels that
 * overlap it, so a crop, a window or a subset of the raster uses the very same model pixels
 * wherever it overlaps the whole.
 *
 * <p>Exactness: positions are computed so that two rasters whose anchors differ by whole pixels
 * get bitwise equal interpolation weights for the same model pixel (the whole part of the anchor
 * is subtracted as an integer; its fraction, snapped to 1/1024, is the same for both). Without
 * resampling (factor 1) model pixels are the raster's own pixels.
 *
 * <p>Immutable.
 */
final class ModelGrid {
  private final Axis columns;
  private final Axis rows;

  private ModelGrid(Axis columns, Axis rows) {
    this.columns = columns;
    this.rows = rows;
  }

  /**
   * @param columnFactor model pixels per raster pixel along the columns (exactly 1 for none)
   * @param rowFactor model pixels per raster pixel along the rows (exactly 1 for none)
   */
  static ModelGrid over(
      int width, int height, double columnFactor, double rowFactor, GridAnchor anchor) {
    return new ModelGrid(
        new Axis(width, columnFactor, anchor.column()), new Axis(height, rowFactor, anchor.row()));
  }

  Axis columns() {
    return columns;
  }

  Axis rows() {
    return rows;
  }

  int width() {
    return columns.length;
  }

  int height() {
    return rows.length;
  }

  boolean isIdentity() {
    return columns.factor == 1 && rows.factor == 1;
  }

  /** One axis: the raster's length, where it sits and the model pixels over it. */
  static final class Axis {
    private static final double EDGE_TOLERANCE = 1e-9;

    /**
     * Below this factor a model pixel is the area average of the raster pixels it covers: bilinear
     * interpolation would skip raster pixels (and alias details finer than a model pixel). At 0.5
     * and above, bilinear interpolation reaches every raster pixel (at 0.5 it is the mean of two).
     */
    static final double AVERAGE_BELOW = 0.5;

    final int rasterLength;
    final double factor;

    /** Whole part of the anchor: the raster's first pixel counted from the origin. */
    private final long whole;

    /** The anchor's fraction, 0 to 1 (a multiple of 1/1024). */
    private final double fraction;

    /** World index of the first model pixel. */
    final long start;

    /** Model pixels over the raster. */
    final int length;

    Axis(int rasterLength, double factor, double anchor) {
      this.rasterLength = rasterLength;
      this.factor = factor;
      this.whole = (long) Math.floor(anchor);
      this.fraction = anchor - whole;
      if (factor == 1) {
        start = whole;
        length = rasterLength;
      } else {
        // Model pixels that overlap the raster by more than a rounding error.
        start = (long) Math.floor(anchor * factor + EDGE_TOLERANCE);
        long end = (long) Math.ceil((anchor + rasterLength) * factor - EDGE_TOLERANCE);
        length = (int) Math.max(1, end - start);
      }
    }

    /**
     * The centre of model pixel {@code k} (from this raster's first model pixel) in raster pixel
     * coordinates with pixel centres at whole numbers; may fall outside {@code 0..rasterLength-1}
     * at the edges.
     */
    double sourceCentre(int k) {
      double worldCorner = (start + k + 0.5) / factor;
      return (worldCorner - whole) - (fraction + 0.5);
    }

    /** Whether model pixels are area averages of the raster's ({@link #AVERAGE_BELOW}). */
    boolean averages() {
      return factor < AVERAGE_BELOW;
    }

    /**
     * The leading edge of model pixel {@code k} (from this raster's first model pixel; {@code k =
     * length} gives the last one's trailing edge) in raster pixel corners: raster pixel {@code i}
     * covers {@code i .. i + 1}. Computed like {@link #sourceCentre}, so two rasters whose anchors
     * differ by whole pixels get bitwise equal edges for the same model pixel.
     */
    double sourceEdge(int k) {
      double worldCorner = (start + k) / factor;
      return (worldCorner - whole) - fraction;
    }

    /** The centre of raster pixel {@code i} in model pixel coordinates (centres at whole numbers). */
    double modelCentre(int i) {
      double world = (double) (whole + i) + (fraction + 0.5);
      return world * factor - (start + 0.5);
    }
  }

  /**
   * Where position {@code p} (pixel centres at whole numbers) falls between the pixels of an axis
   * of {@code length}, clamped to its ends: the pixel at or left of it goes to {@code index[i]},
   * the weight of the next one to {@code weight[i]} (0 at the last pixel).
   */
  static void between(double p, int length, int[] index, float[] weight, int i) {
    double clamped = Math.max(0, Math.min(length - 1, p));
    int left = (int) Math.floor(clamped);
    index[i] = Math.min(left, length - 1);
    weight[i] = left >= length - 1 ? 0f : (float) (clamped - left);
  }
}
