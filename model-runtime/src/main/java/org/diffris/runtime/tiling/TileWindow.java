package org.diffris.runtime.tiling;

/**
 * Blending weights along one side of a tile: 1 in the middle, a raised-cosine taper over the
 * overlap at each end, never below {@link #FLOOR}. Two neighbours overlapping by exactly the
 * overlap have weights summing to a constant there, so the blend moves smoothly from one tile
 * to the other; at a raster border only one tile covers a pixel and its (small, non-zero) weight
 * cancels out. A tile's weight at a pixel is {@code w(col) * w(row)}. Immutable.
 */
public final class TileWindow {
  /** Smallest weight, so that every pixel of a tile counts, including those at raster borders. */
  public static final double FLOOR = 1e-3;

  private final double[] weights;

  public TileWindow(int length, int overlap) {
    weights = new double[length];
    for (int i = 0; i < length; i++) {
      int fromEdge = Math.min(i, length - 1 - i);
      double w = 1;
      if (fromEdge < overlap) {
        double s = Math.sin(Math.PI / 2 * (fromEdge + 0.5) / overlap);
        w = s * s;
      }
      weights[i] = Math.max(FLOOR, w);
    }
  }

  public int length() {
    return weights.length;
  }

  public double weight(int i) {
    return weights[i];
  }
}
