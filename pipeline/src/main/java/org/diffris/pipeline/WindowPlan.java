package org.diffris.pipeline;

import java.io.IOException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.diffris.runtime.tiling.ProgressListener;
import org.diffris.vectorizer.PixelBounds;
import org.diffris.vectorizer.PixelToWorld;
import org.diffris.vectorizer.VectorizedRegion;
import org.locationtech.jts.geom.Geometry;

/**
 * One core of a planned raster, ready to run on its own ({@link SegmentationPlan#window}): reads
 * the core and the edge margin round it, answers for the core's pixels only, and hands each
 * region as a {@link WindowPiece} in the raster's pixel coordinates. Immutable.
 */
public final class WindowPlan {
  private final SegmentationPlan plan;
  private final PixelBounds core;
  private final PixelBounds read;
  private final int rasterWidth;
  private final int rasterHeight;

  WindowPlan(
      SegmentationPlan plan,
      PixelBounds core,
      PixelBounds read,
      int rasterWidth,
      int rasterHeight) {
    this.plan = plan;
    this.core = core;
    this.read = read;
    this.rasterWidth = rasterWidth;
    this.rasterHeight = rasterHeight;
  }

  /** The pixels this window answers for, in the raster's pixel corners. */
  public PixelBounds core() {
    return core;
  }

  /** The pixels it reads: the core and the edge margin round it, inside the raster. */
  public PixelBounds read() {
    return read;
  }

  /**
   * Runs the window: every region of the core goes to {@code pieces} as it completes.
   *
   * @see SegmentationPlan#run
   */
  public SegmentationSummary run(
      Consumer<WindowPiece> pieces, ProgressListener progress, BooleanSupplier cancelled)
      throws IOException {
    return plan.run(region -> pieces.accept(piece(region)), null, progress, cancelled);
  }

  private WindowPiece piece(VectorizedRegion region) {
    PixelToWorld t = plan.input().pixelToWorld();
    int dx = read.minColumn();
    int dy = read.minRow();
    Geometry pixels = region.geometry().copy();
    // Back to pixel corners, which are whole numbers: rounding undoes the transform's last bits.
    pixels.apply(
        (org.locationtech.jts.geom.CoordinateFilter)
            c -> {
              double[] p = t.toPixel(c.x, c.y);
              c.x = Math.rint(p[0]) + dx;
              c.y = Math.rint(p[1]) + dy;
            });
    pixels.geometryChanged();
    PixelBounds b = region.pixelBounds();
    PixelBounds bounds =
        new PixelBounds(b.minColumn() + dx, b.minRow() + dy, b.maxColumn() + dx, b.maxRow() + dy);
    return new WindowPiece(
        pixels,
        region.pixelCount(),
        region.meanProbability() * region.pixelCount(),
        region.areaSquareMetres(),
        bounds,
        cut(bounds));
  }

  /** Whether the piece touches a side of the core that another core lies beyond. */
  private boolean cut(PixelBounds piece) {
    return (piece.minColumn() == core.minColumn() && core.minColumn() > 0)
        || (piece.minRow() == core.minRow() && core.minRow() > 0)
        || (piece.maxColumn() == core.maxColumn() && core.maxColumn() < rasterWidth)
        || (piece.maxRow() == core.maxRow() && core.maxRow() < rasterHeight);
  }

  /** The core as a region of interest of the window that reads {@code read}. */
  static RegionOfInterest coreOf(PixelBounds core, PixelBounds read) {
    int c0 = core.minColumn() - read.minColumn();
    int r0 = core.minRow() - read.minRow();
    int c1 = core.maxColumn() - read.minColumn();
    int r1 = core.maxRow() - read.minRow();
    return new RegionOfInterest() {
      @Override
      public void apply(int firstRow, int width, int height, float[] p, byte[] valid) {
        for (int r = 0; r < height; r++) {
          int row = firstRow + r;
          int at = r * width;
          if (row < r0 || row >= r1) {
            clear(p, valid, at, at + width);
          } else {
            clear(p, valid, at, at + Math.min(width, c0));
            clear(p, valid, at + Math.min(width, c1), at + width);
          }
        }
      }

      @Override
      public boolean boundaryNear(PixelBounds pixels, int margin) {
        return pixels.minColumn() - c0 < margin
            || pixels.minRow() - r0 < margin
            || c1 - pixels.maxColumn() < margin
            || r1 - pixels.maxRow() < margin;
      }
    };
  }

  private static void clear(float[] p, byte[] valid, int from, int to) {
    if (from < to) {
      java.util.Arrays.fill(p, from, to, 0f);
      java.util.Arrays.fill(valid, from, to, (byte) 0);
    }
  }
}
