package org.diffris.runtime.tiling;

/**
 * Square tiles on a grid fixed to the world, not to the raster: along each axis tile {@code t}
 * covers model pixels {@code t * step .. t * step + size - 1} counted from the CRS origin
 * ({@code step = size - overlap}), and a raster runs the tiles whose first {@code step} pixels
 * overlap it. So a crop or a window of a raster runs exactly the whole raster's tiles wherever
 * those lie inside it, and every pixel lies in at least one tile.
 *
 * <p>Tiles may hang over the raster's edges (their origin {@link #x} or {@link #y} is negative,
 * or they end past the width or height); the tiler pads that part with the model's mean and
 * never blends it. Built with start {@code (0, 0)}, the grid starts at the raster's corner.
 * Immutable.
 */
public final class TileGrid {
  private final int width;
  private final int height;
  private final int size;
  private final int overlap;
  private final int[] columns;
  private final int[] rows;

  /** A grid starting at the raster's corner: {@code TileGrid(width, height, size, overlap, 0, 0)}. */
  public TileGrid(int width, int height, int size, int overlap) {
    this(width, height, size, overlap, 0, 0);
  }

  /**
   * @param size tile side in pixels, at least 1
   * @param overlap pixels shared by neighbouring tiles, 0 to {@code size - 1}
   * @param startColumn the raster's first column, counted from the origin of the tile grid
   * @param startRow the raster's first row, counted from the origin of the tile grid
   */
  public TileGrid(int width, int height, int size, int overlap, long startColumn, long startRow) {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "raster must be at least 1 x 1 pixels, got " + width + " x " + height);
    }
    if (size < 1) {
      throw new IllegalArgumentException("tile size must be at least 1 pixel, got " + size);
    }
    if (overlap < 0 || overlap >= size) {
      throw new IllegalArgumentException(
          "tile overlap must be 0 to "
              + (size - 1)
              + " pixels for tiles of "
              + size
              + ", got "
              + overlap);
    }
    this.width = width;
    this.height = height;
    this.size = size;
    this.overlap = overlap;
    this.columns = origins(startColumn, width, size - overlap);
    this.rows = origins(startRow, height, size - overlap);
  }

  /** Raster-relative origins of the tiles whose first {@code step} pixels meet the raster. */
  private static int[] origins(long start, int length, int step) {
    long first = Math.floorDiv(start, step);
    long last = Math.floorDiv(start + length - 1, step);
    int[] origins = new int[(int) (last - first + 1)];
    for (int i = 0; i < origins.length; i++) {
      origins[i] = (int) ((first + i) * step - start);
    }
    return origins;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** Tile side in pixels: every tile is {@code size x size}. */
  public int size() {
    return size;
  }

  public int overlap() {
    return overlap;
  }

  public int columnCount() {
    return columns.length;
  }

  public int rowCount() {
    return rows.length;
  }

  public int tileCount() {
    return columns.length * rows.length;
  }

  /** Left pixel column of the tiles in tile column {@code i}; negative when they start before the raster. */
  public int x(int i) {
    return columns[i];
  }

  /** Top pixel row of the tiles in tile row {@code j}; negative when they start above the raster. */
  public int y(int j) {
    return rows[j];
  }

  /**
   * The first raster row that tiles of tile row {@code j + 1} or later may still change: rows above
   * it are final once tile rows {@code 0..j} are done. The raster height after the last tile row.
   */
  public int finalRowsEnd(int j) {
    return j + 1 < rows.length ? rows[j + 1] : height;
  }
}
