package org.diffris.runtime.tiling;

/**
 * Square tiles over a raster: origins every {@code size - overlap} pixels, the last tile of each
 * row and column shifted back so that it ends at the raster's edge (it overlaps its neighbour more
 * instead of hanging over the edge). Every pixel lies in at least one tile and every tile lies
 * inside the raster, except along a side shorter than a tile, where the single tile is cut to the
 * raster. Immutable.
 */
public final class TileGrid {
  private final int width;
  private final int height;
  private final int size;
  private final int overlap;
  private final int[] columns;
  private final int[] rows;

  /**
   * @param size tile side in pixels, at least 1
   * @param overlap pixels shared by neighbouring tiles, 0 to {@code size - 1}
   */
  public TileGrid(int width, int height, int size, int overlap) {
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
    this.columns = origins(width, size, size - overlap);
    this.rows = origins(height, size, size - overlap);
  }

  private static int[] origins(int length, int size, int step) {
    if (length <= size) {
      return new int[] {0};
    }
    int count = 1 + (length - size + step - 1) / step;
    int[] origins = new int[count];
    for (int i = 0; i < count; i++) {
      origins[i] = Math.min(i * step, length - size);
    }
    return origins;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** Nominal tile side; tiles are {@link #tileWidth()} x {@link #tileHeight()}. */
  public int size() {
    return size;
  }

  public int overlap() {
    return overlap;
  }

  /** Tile width: the size, or the raster width when that is smaller. */
  public int tileWidth() {
    return Math.min(size, width);
  }

  public int tileHeight() {
    return Math.min(size, height);
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

  /** Left pixel column of the tiles in tile column {@code i}. */
  public int x(int i) {
    return columns[i];
  }

  /** Top pixel row of the tiles in tile row {@code j}. */
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
