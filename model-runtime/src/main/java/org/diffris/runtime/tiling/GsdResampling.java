package org.diffris.runtime.tiling;

import java.util.Locale;

/**
 * The change of pixel size between a raster and the model: the model sees the raster resampled
 * to its training ground sampling distance (GSD), so results do not change with the raster's
 * resolution. {@link #factor()} is model pixels per raster pixel along each axis
 * ({@code rasterGsd / modelGsd}); the model grid is {@code round(width * factor)} x
 * {@code round(height * factor)}. Factors between {@value #MIN_FACTOR} and {@value #MAX_FACTOR}
 * are accepted; within 0.1 % of 1 no resampling happens. Immutable.
 */
public record GsdResampling(double rasterGsdMetres, double modelGsdMetres, double factor) {
  public static final double MIN_FACTOR = 0.25;
  public static final double MAX_FACTOR = 4;

  /**
   * @throws IllegalArgumentException when a GSD is not positive or the factor is out of range
   */
  public static GsdResampling between(double rasterGsdMetres, double modelGsdMetres) {
    if (!(rasterGsdMetres > 0) || !(modelGsdMetres > 0) || Double.isInfinite(rasterGsdMetres)) {
      throw new IllegalArgumentException(
          "ground sampling distances must be positive metres, got raster "
              + rasterGsdMetres
              + ", model "
              + modelGsdMetres);
    }
    double factor = rasterGsdMetres / modelGsdMetres;
    if (factor < MIN_FACTOR || factor > MAX_FACTOR) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "the raster's pixel size %.4g m is %.3g times the model's %.4g m; accepted are %.2g to %.2g"
                  + " times: resample the raster to between %.4g and %.4g m first",
              rasterGsdMetres,
              factor,
              modelGsdMetres,
              MIN_FACTOR,
              MAX_FACTOR,
              modelGsdMetres * MIN_FACTOR,
              modelGsdMetres * MAX_FACTOR));
    }
    return new GsdResampling(rasterGsdMetres, modelGsdMetres, factor);
  }

  /**
   * {@link #between} the raster and the model, or {@link #none} when the model has no training
   * GSD ({@code modelGsdMetres} 0: model.json {@code "none"}).
   */
  public static GsdResampling forModel(double rasterGsdMetres, double modelGsdMetres) {
    return modelGsdMetres == 0 ? none(rasterGsdMetres) : between(rasterGsdMetres, modelGsdMetres);
  }

  /**
   * No resampling, for a model without a training GSD (model.json {@code "none"}): it runs at the
   * raster's own resolution, whatever that is.
   */
  public static GsdResampling none(double rasterGsdMetres) {
    return new GsdResampling(rasterGsdMetres, rasterGsdMetres, 1);
  }

  /** Whether the raster is used as it is (factor within 0.1 % of 1). */
  public boolean isIdentity() {
    return Math.abs(factor - 1) < 1e-3;
  }

  /** Model-grid length for a raster length. */
  public int modelLength(int rasterLength) {
    return isIdentity() ? rasterLength : Math.max(1, (int) Math.round(rasterLength * factor));
  }

  /**
   * Where the centre of pixel {@code i} of a grid of {@code to} pixels falls on a grid of
   * {@code from} pixels spanning the same extent, in pixel coordinates of the latter (centres at
   * integers).
   */
  static double centre(int i, int to, int from) {
    return (i + 0.5) * from / (double) to - 0.5;
  }
}
