package org.diffris.vectorizer;

/**
 * The pixels a region covers, as a rectangle of pixel corners: columns {@code minColumn} to
 * {@code maxColumn - 1} and rows {@code minRow} to {@code maxRow - 1} (the same corner
 * coordinates the region's outline has before the pixel-to-world transform). Immutable.
 */
public record PixelBounds(int minColumn, int minRow, int maxColumn, int maxRow) {

  /**
   * The smallest distance, in pixels, between these pixels and the sides of a raster of
   * {@code width x height}: 0 when a pixel of the region lies on the raster's first or last
   * column or row.
   */
  public int distanceToSides(int width, int height) {
    return Math.min(Math.min(minColumn, width - maxColumn), Math.min(minRow, height - maxRow));
  }
}
