package org.diffris.pipeline;

import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import org.diffris.runtime.tiling.BandConsumer;
import org.diffris.runtime.tiling.RasterSource;
import org.diffris.vectorizer.PixelBounds;
import org.diffris.vectorizer.PixelToWorld;

/**
 * A raster as the model must see it: north up and east right, whatever order its rows and
 * columns are stored in. A raster stored south-up (its rows running north: a positive y pixel
 * size) has its rows read in reverse, a mirrored one (columns running west) its columns; the
 * georeferencing is turned with them, so the job runs on the north-up picture of the same ground
 * and its polygons land where the stored raster's pixels are. Reversing is an exact index
 * mapping: the job sees the very pixels a north-up copy of the raster holds.
 *
 * <p>A rotated or sheared grid is reversed the same way where that brings it closer to north-up
 * (its columns' step is then within 90° of east, its rows' within 90° of south) and otherwise kept
 * as stored: the model sees its picture turned by the rest of the angle ({@link #warning}). A
 * raster without georeferencing (the identity transform) is taken as stored.
 *
 * <p>What the host gives in the stored raster's pixels (a region of interest) and takes back in
 * them (probability bands) goes through {@link #roi} and {@link #back}. Immutable.
 */
final class NorthUp {
  /** Rotations and shears up to this many degrees pass without a warning. */
  static final double QUIET_DEGREES = 1;

  private final RasterInput input;
  private final boolean columns;
  private final boolean rows;
  private final int width;
  private final int height;

  private NorthUp(RasterInput stored, boolean columns, boolean rows) {
    this.columns = columns;
    this.rows = rows;
    this.width = stored.width();
    this.height = stored.height();
    this.input =
        columns || rows
            ? new RasterInput(
                new Reversed(stored.source(), columns, rows),
                turned(stored.pixelToWorld(), width, height, columns, rows),
                stored.areaModel(),
                stored.sampleType(),
                stored.bandRoles(),
                stored.srid())
            : stored;
  }

  /** The raster north-up: reversed where its columns run west or its rows north. */
  static NorthUp of(RasterInput stored) {
    PixelToWorld t = stored.pixelToWorld();
    if (t.equals(PixelToWorld.identity())) {
      return new NorthUp(stored, false, false);
    }
    return new NorthUp(stored, t.pixelWidth() < 0, t.pixelHeight() > 0);
  }

  /** The raster the job runs on: the stored one when it is north-up already. */
  RasterInput input() {
    return input;
  }

  /** Whether the columns are read in reverse (the raster is stored mirrored). */
  boolean reversesColumns() {
    return columns;
  }

  /** Whether the rows are read in reverse (the raster is stored south-up). */
  boolean reversesRows() {
    return rows;
  }

  /** The grid with its reversed axes counted from the other side: the same pixels, turned. */
  static PixelToWorld turned(PixelToWorld t, int width, int height, boolean columns, boolean rows) {
    int c = columns ? width : 0;
    int r = rows ? height : 0;
    return new PixelToWorld(
        t.x(c, r),
        columns ? negated(t.pixelWidth()) : t.pixelWidth(),
        rows ? negated(t.rowRotation()) : t.rowRotation(),
        t.y(c, r),
        columns ? negated(t.colRotation()) : t.colRotation(),
        rows ? negated(t.pixelHeight()) : t.pixelHeight());
  }

  private static double negated(double v) {
    return -v + 0.0; // -0.0 would make an equal grid unequal
  }

  /**
   * What the user should know when the picture the model sees is not north-up even after the
   * reversal: a grid rotated or sheared by more than {@link #QUIET_DEGREES}.
   */
  Optional<String> warning() {
    PixelToWorld t = input.pixelToWorld();
    if (t.equals(PixelToWorld.identity())) {
      return Optional.empty();
    }
    // Angles in the world (y north): the columns' step from east, the rows' from south.
    double turn = Math.toDegrees(Math.atan2(t.colRotation(), t.pixelWidth()));
    double rowTurn = Math.toDegrees(Math.atan2(t.pixelHeight(), t.rowRotation())) + 90;
    double shear = normalized(rowTurn - turn);
    if (Math.abs(turn) <= QUIET_DEGREES && Math.abs(shear) <= QUIET_DEGREES) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            Locale.ROOT,
            "the raster's grid is turned %.1f° from north-up%s: the model sees the picture as"
                + " stored, turned, while it learnt north-up pictures (answers about left, right,"
                + " above or below, and shadows, may suffer); warp it north-up first for the"
                + " model's own view (gdalwarp -t_srs with the raster's CRS)",
            Math.abs(turn),
            Math.abs(shear) > QUIET_DEGREES
                ? String.format(Locale.ROOT, " and sheared %.1f°", shear)
                : ""));
  }

  private static double normalized(double degrees) {
    double d = degrees % 360;
    return d > 180 ? d - 360 : d <= -180 ? d + 360 : d;
  }

  /**
   * A region of interest in the stored raster's pixels, as one in the north-up raster's: the
   * rows and columns it is asked about are reversed back before it looks at them.
   */
  RegionOfInterest roi(RegionOfInterest stored) {
    if (stored == null || (!columns && !rows)) {
      return stored;
    }
    return new Turned(stored, width, height);
  }

  /**
   * A region of interest of a {@code w} x {@code h} stored raster (or window of it) seen north-up.
   * A window of it is the stored region's window at the same pixels, seen north-up.
   */
  private final class Turned implements RegionOfInterest {
    private final RegionOfInterest stored;
    private final int w;
    private final int h;

    Turned(RegionOfInterest stored, int w, int h) {
      this.stored = stored;
      this.w = w;
      this.h = h;
    }

    @Override
    public void apply(int firstRow, int bandWidth, int bandHeight, float[] p, byte[] valid) {
      reverse(bandWidth, bandHeight, p, valid);
      stored.apply(rows ? h - firstRow - bandHeight : firstRow, bandWidth, bandHeight, p, valid);
      reverse(bandWidth, bandHeight, p, valid);
    }

    @Override
    public boolean boundaryNear(PixelBounds pixels, int margin) {
      return stored.boundaryNear(storedBounds(pixels, w, h), margin);
    }

    @Override
    public boolean reaches(PixelBounds pixels) {
      return stored.reaches(storedBounds(pixels, w, h));
    }

    @Override
    public RegionOfInterest window(PixelBounds read) {
      return new Turned(
          stored.window(storedBounds(read, w, h)),
          read.maxColumn() - read.minColumn(),
          read.maxRow() - read.minRow());
    }
  }

  /** A rectangle of the north-up raster's pixels in the stored raster's pixels. */
  PixelBounds storedBounds(PixelBounds p) {
    return storedBounds(p, width, height);
  }

  /** As {@link #storedBounds(PixelBounds)} in a {@code width} x {@code height} raster. */
  private PixelBounds storedBounds(PixelBounds p, int width, int height) {
    return new PixelBounds(
        columns ? width - p.maxColumn() : p.minColumn(),
        rows ? height - p.maxRow() : p.minRow(),
        columns ? width - p.minColumn() : p.maxColumn(),
        rows ? height - p.minRow() : p.maxRow());
  }

  /**
   * A consumer of probability bands on the stored raster's grid, fed with the north-up raster's
   * bands: each band is turned back (a copy) and handed on with its stored first row. Bands of
   * a raster stored south-up arrive bottom band first.
   */
  BandConsumer back(BandConsumer stored) {
    if (stored == null || (!columns && !rows)) {
      return stored;
    }
    return (firstRow, h, p, valid) -> {
      float[] pc = p.clone();
      byte[] vc = valid.clone();
      reverse(pc.length / h, h, pc, vc);
      stored.accept(rows ? height - firstRow - h : firstRow, h, pc, vc);
    };
  }

  /** Reverses a band's rows and columns in place where this raster's are reversed. */
  private void reverse(int w, int h, float[] p, byte[] valid) {
    if (columns) {
      for (int r = 0; r < h; r++) {
        for (int a = r * w, b = a + w - 1; a < b; a++, b--) {
          swap(p, valid, a, b);
        }
      }
    }
    if (rows) {
      for (int a = 0, b = h - 1; a < b; a++, b--) {
        for (int c = 0; c < w; c++) {
          swap(p, valid, a * w + c, b * w + c);
        }
      }
    }
  }

  private static void swap(float[] p, byte[] valid, int a, int b) {
    float t = p[a];
    p[a] = p[b];
    p[b] = t;
    byte v = valid[a];
    valid[a] = valid[b];
    valid[b] = v;
  }

  /** A raster read with its columns and/or rows in reverse order: an exact index mapping. */
  static final class Reversed extends ForwardingRaster {
    private final boolean columns;
    private final boolean rows;

    Reversed(RasterSource stored, boolean columns, boolean rows) {
      super(stored);
      this.columns = columns;
      this.rows = rows;
    }

    @Override
    public void read(int x, int y, int w, int h, int[] bands, float[] dest) throws IOException {
      int sx = columns ? raster.width() - x - w : x;
      int sy = rows ? raster.height() - y - h : y;
      raster.read(sx, sy, w, h, bands, dest);
      for (int b = 0; b < bands.length; b++) {
        int base = b * w * h;
        if (columns) {
          for (int r = 0; r < h; r++) {
            for (int i = base + r * w, j = i + w - 1; i < j; i++, j--) {
              float t = dest[i];
              dest[i] = dest[j];
              dest[j] = t;
            }
          }
        }
        if (rows) {
          for (int i = 0, j = h - 1; i < j; i++, j--) {
            for (int c = 0; c < w; c++) {
              float t = dest[base + i * w + c];
              dest[base + i * w + c] = dest[base + j * w + c];
              dest[base + j * w + c] = t;
            }
          }
        }
      }
    }
  }
}
