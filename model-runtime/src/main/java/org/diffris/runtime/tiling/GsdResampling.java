package org.diffris.runtime.tiling;

import java.util.Locale;

/**
 * The change of pixel size between a raster and the model, along each axis: the model sees the
 * raster resampled to its training ground sampling distance (GSD) on both axes, so results do not
 * change with the raster's resolution, and a raster of non-square pixels (0.5 x 1 m) is not seen
 * stretched. {@link #columnFactor()} and {@link #rowFactor()} are model pixels per raster pixel
 * ({@code rasterGsd / modelGsd}); an axis within 0.1 % of 1 is not resampled.
 *
 * <p>Coarser models than the raster (a factor below 1: drone imagery at 2 cm for a 1 m model) are
 * accepted at any factor: the model's pixels are area averages of the raster's. Finer ones are
 * accepted up to {@value #MAX_FACTOR} times: enlarging adds no detail, and beyond that an object
 * the model can find (a few of its pixels across) is smaller than one raster pixel. Immutable.
 */
public record GsdResampling(
    double columnGsdMetres,
    double rowGsdMetres,
    double modelGsdMetres,
    double columnFactor,
    double rowFactor) {

  /** The most model pixels per raster pixel: the raster is at most this many times coarser. */
  public static final double MAX_FACTOR = 4;

  /**
   * @throws IllegalArgumentException when a GSD is not positive or the raster is more than
   *     {@link #MAX_FACTOR} times coarser than the model
   */
  public static GsdResampling between(
      double columnGsdMetres, double rowGsdMetres, double modelGsdMetres) {
    if (!(columnGsdMetres > 0)
        || !(rowGsdMetres > 0)
        || !(modelGsdMetres > 0)
        || Double.isInfinite(columnGsdMetres)
        || Double.isInfinite(rowGsdMetres)) {
      throw new IllegalArgumentException(
          "ground sampling distances must be positive metres, got raster "
              + columnGsdMetres
              + " x "
              + rowGsdMetres
              + ", model "
              + modelGsdMetres);
    }
    double coarser = Math.max(columnGsdMetres, rowGsdMetres);
    double factor = coarser / modelGsdMetres;
    if (factor > MAX_FACTOR) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "the raster's pixel size %.4g m is %.3g times the model's %.4g m: the model would"
                  + " see each raster pixel enlarged %.3g times, which adds no detail, and the"
                  + " objects it finds (a few of its pixels across) would be smaller than one"
                  + " raster pixel; accepted are rasters up to %.2g times coarser than the model"
                  + " (pixels up to %.4g m), and any finer",
              coarser,
              factor,
              modelGsdMetres,
              factor,
              MAX_FACTOR,
              modelGsdMetres * MAX_FACTOR));
    }
    return new GsdResampling(
        columnGsdMetres,
        rowGsdMetres,
        modelGsdMetres,
        columnGsdMetres / modelGsdMetres,
        rowGsdMetres / modelGsdMetres);
  }

  /** {@link #between} for square pixels. */
  public static GsdResampling between(double rasterGsdMetres, double modelGsdMetres) {
    return between(rasterGsdMetres, rasterGsdMetres, modelGsdMetres);
  }

  /**
   * {@link #between} the raster and the model, or {@link #none} when the model has no training
   * GSD ({@code modelGsdMetres} 0: model.json {@code "none"}).
   */
  public static GsdResampling forModel(
      double columnGsdMetres, double rowGsdMetres, double modelGsdMetres) {
    return modelGsdMetres == 0
        ? none(columnGsdMetres, rowGsdMetres)
        : between(columnGsdMetres, rowGsdMetres, modelGsdMetres);
  }

  /** {@link #forModel} for square pixels. */
  public static GsdResampling forModel(double rasterGsdMetres, double modelGsdMetres) {
    return forModel(rasterGsdMetres, rasterGsdMetres, modelGsdMetres);
  }

  /**
   * No resampling, for a model without a training GSD (model.json {@code "none"}): it runs at the
   * raster's own resolution, whatever that is.
   */
  public static GsdResampling none(double columnGsdMetres, double rowGsdMetres) {
    return new GsdResampling(columnGsdMetres, rowGsdMetres, 0, 1, 1);
  }

  /** {@link #none} for square pixels. */
  public static GsdResampling none(double rasterGsdMetres) {
    return none(rasterGsdMetres, rasterGsdMetres);
  }

  /** Whether the raster is used as it is (both factors within 0.1 % of 1). */
  public boolean isIdentity() {
    return gridColumnFactor() == 1 && gridRowFactor() == 1;
  }

  /** The factor the model grid uses along the columns: exactly 1 within 0.1 % of 1. */
  public double gridColumnFactor() {
    return snapped(columnFactor);
  }

  /** The factor the model grid uses along the rows: exactly 1 within 0.1 % of 1. */
  public double gridRowFactor() {
    return snapped(rowFactor);
  }

  private static double snapped(double factor) {
    return Math.abs(factor - 1) < 1e-3 ? 1 : factor;
  }
}
