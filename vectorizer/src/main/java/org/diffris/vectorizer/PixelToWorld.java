package org.diffris.vectorizer;

import java.util.Arrays;

/**
 * Affine pixel-to-world transform in GDAL geotransform order. A pixel corner {@code (col, row)}
 * maps to
 *
 * <pre>
 *   x = originX + col * pixelWidth + row * rowRotation
 *   y = originY + col * colRotation + row * pixelHeight
 * </pre>
 *
 * <p>Pixel {@code (c, r)} covers the square with corners {@code (c, r)} and {@code (c + 1, r + 1)};
 * its centre is {@code (c + 0.5, r + 0.5)}. North-up rasters have a negative {@code pixelHeight}.
 * The transform must be invertible (non-zero determinant) and all six values finite.
 */
public record PixelToWorld(
    double originX,
    double pixelWidth,
    double rowRotation,
    double originY,
    double colRotation,
    double pixelHeight) {

  public PixelToWorld {
    double[] all = {originX, pixelWidth, rowRotation, originY, colRotation, pixelHeight};
    for (double v : all) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException(
            "pixel-to-world transform must have finite values, got " + Arrays.toString(all));
      }
    }
    if (pixelWidth * pixelHeight - rowRotation * colRotation == 0) {
      throw new IllegalArgumentException(
          "pixel-to-world transform is not invertible (determinant 0): " + Arrays.toString(all));
    }
  }

  /** From the six values of a GDAL geotransform: {@code [originX, pixelWidth, rowRotation,
   *  originY, colRotation, pixelHeight]}. */
  public static PixelToWorld fromGdal(double[] geoTransform) {
    if (geoTransform == null || geoTransform.length != 6) {
      throw new IllegalArgumentException(
          "a GDAL geotransform has 6 values, got "
              + (geoTransform == null ? "null" : geoTransform.length + " values"));
    }
    return new PixelToWorld(
        geoTransform[0],
        geoTransform[1],
        geoTransform[2],
        geoTransform[3],
        geoTransform[4],
        geoTransform[5]);
  }

  /** World coordinates equal pixel corner coordinates (x = col, y = row). */
  public static PixelToWorld identity() {
    return new PixelToWorld(0, 1, 0, 0, 0, 1);
  }

  /** The six values in GDAL order. */
  public double[] toGdal() {
    return new double[] {originX, pixelWidth, rowRotation, originY, colRotation, pixelHeight};
  }

  /** Determinant of the linear part; negative for north-up rasters. */
  public double determinant() {
    return pixelWidth * pixelHeight - rowRotation * colRotation;
  }

  /** Area of one pixel in squared CRS units: {@code |determinant|}. */
  public double pixelArea() {
    return Math.abs(determinant());
  }

  /** World x of pixel-space point {@code (col, row)} (which may be fractional). */
  public double x(double col, double row) {
    return originX + col * pixelWidth + row * rowRotation;
  }

  /** World y of pixel-space point {@code (col, row)} (which may be fractional). */
  public double y(double col, double row) {
    return originY + col * colRotation + row * pixelHeight;
  }

  /** Pixel-space {@code {col, row}} of world point {@code (x, y)}: the inverse transform. */
  public double[] toPixel(double x, double y) {
    double dx = x - originX;
    double dy = y - originY;
    double det = determinant();
    return new double[] {
      (dx * pixelHeight - dy * rowRotation) / det, (dy * pixelWidth - dx * colRotation) / det
    };
  }
}
