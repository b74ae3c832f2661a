package org.diffris.vectorizer;

/**
 * A raster's ground sampling distance (GSD) in metres: the square root of one pixel's area on
 * the ground, so that a rotated or slightly non-square grid gets one number. For
 * longitude/latitude grids, degrees are turned into metres at the raster's centre latitude
 * (WGS84 mean radius), good to a fraction of a percent for rasters of a few kilometres, which is
 * all the model's GSD check needs.
 *
 * <p>Every host computes the GSD it hands to the tiler here: the GSD decides the model's grid
 * ({@code round(width * gsd / modelGsd)}), so two hosts measuring it differently would segment
 * the same raster differently. Cost O(1); no state.
 */
public final class GroundSampleDistance {
  private static final double METRES_PER_DEGREE = Math.PI * 6_371_008.8 / 180;

  private GroundSampleDistance() {}

  /**
   * @param grid pixel corners to world coordinates, x = east / longitude
   * @param width raster (or window) width in pixels; with {@code height}, where the centre
   *     latitude of a longitude/latitude grid is taken
   * @param height raster (or window) height in pixels
   * @param units how the CRS measures: geodesic (longitude/latitude degrees) or planar with its
   *     unit's length in metres
   */
  public static double metres(PixelToWorld grid, int width, int height, AreaModel units) {
    double unitsSquared = Math.abs(grid.determinant());
    if (units.isGeodesic()) {
      double latitude = Math.rint(grid.y(width / 2.0, height / 2.0));
      double cos = Math.cos(Math.toRadians(latitude));
      return Math.sqrt(unitsSquared * cos) * METRES_PER_DEGREE;
    }
    return Math.sqrt(unitsSquared) * units.metresPerUnit();
  }

  /**
   * The ground length of one step along the raster's columns (a pixel's width), in metres:
   * {@link #metres} for one axis, so that pixels that are not square on the ground (0.5 x 1 m, or
   * square in degrees away from the equator) are measured as they are.
   */
  public static double alongColumns(PixelToWorld grid, int width, int height, AreaModel units) {
    return step(grid.pixelWidth(), grid.colRotation(), grid, width, height, units);
  }

  /** The ground length of one step down the raster's rows (a pixel's height), in metres. */
  public static double alongRows(PixelToWorld grid, int width, int height, AreaModel units) {
    return step(grid.rowRotation(), grid.pixelHeight(), grid, width, height, units);
  }

  private static double step(
      double dx, double dy, PixelToWorld grid, int width, int height, AreaModel units) {
    if (units.isGeodesic()) {
      double latitude = Math.rint(grid.y(width / 2.0, height / 2.0));
      double east = dx * Math.cos(Math.toRadians(latitude));
      return Math.sqrt(east * east + dy * dy) * METRES_PER_DEGREE;
    }
    // sqrt(dx²) is |dx| exactly: a north-up grid of square pixels gets metres() to the bit
    return Math.sqrt(dx * dx + dy * dy) * units.metresPerUnit();
  }
}
