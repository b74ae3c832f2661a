package org.diffris.geotools;

/**
 * A rectangle of raster pixels: columns {@code [x, x + width)}, rows {@code [y, y + height)},
 * counted from the raster's first pixel. Never empty.
 */
public record PixelWindow(int x, int y, int width, int height) {

  public PixelWindow {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "a pixel window is at least 1 x 1, got " + width + " x " + height);
    }
  }

  /** The same pixels as the pipeline's rectangle of pixel corners. */
  public org.diffris.vectorizer.PixelBounds bounds() {
    return new org.diffris.vectorizer.PixelBounds(x, y, x + width, y + height);
  }

  public long pixelCount() {
    return (long) width * height;
  }

  @Override
  public String toString() {
    return width + " x " + height + " pixels at column " + x + ", row " + y;
  }
}
