package org.diffris.geotools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.diffris.pipeline.InvalidInputException;

/**
 * Refuses a TIFF whose pixel data does not fit in the file: a strip or tile, or the table that
 * lists them, that ends past its last byte. A cut file (an interrupted copy or download) is
 * otherwise decoded with the missing blocks as zeros: a wrong answer without an error. Also
 * refuses blocks never written (offset and size 0, GDAL's sparse files), which GDAL reads as
 * nodata but the TIFF decoder here would fill with the file's first bytes.
 *
 * <p>Reads the first image file directory itself (classic TIFF and BigTIFF, either byte order):
 * the TIFF decoder loads these tables lazily and would not tell.
 */
final class TiffBlocks {
  private static final int STRIP_OFFSETS = 273;
  private static final int STRIP_BYTE_COUNTS = 279;
  private static final int TILE_OFFSETS = 324;
  private static final int TILE_BYTE_COUNTS = 325;

  private final FileChannel file;
  private final long size;
  private final Path path;
  private ByteOrder order;
  private boolean big;

  private TiffBlocks(FileChannel file, Path path) throws IOException {
    this.file = file;
    this.size = file.size();
    this.path = path;
  }

  /**
   * Checks the first image of {@code file}; a file that is not a TIFF passes (its reader reports
   * it).
   *
   * @throws InvalidInputException naming what lies past the end of the file
   */
  static void requireInFile(Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      new TiffBlocks(channel, file).check();
    } catch (IOException | ArithmeticException | IndexOutOfBoundsException e) {
      // unreadable or nonsense tables: the raster reader reports it with its own reason
    }
  }

  private void check() throws IOException {
    ByteBuffer header = read(0, 16);
    if (header == null) {
      return;
    }
    byte b0 = header.get(0);
    byte b1 = header.get(1);
    if (b0 == 'I' && b1 == 'I') {
      order = ByteOrder.LITTLE_ENDIAN;
    } else if (b0 == 'M' && b1 == 'M') {
      order = ByteOrder.BIG_ENDIAN;
    } else {
      return; // not a TIFF
    }
    header.order(order);
    int version = Short.toUnsignedInt(header.getShort(2));
    if (version != 42 && version != 43) {
      return;
    }
    big = version == 43;
    long ifd = big ? header.getLong(8) : Integer.toUnsignedLong(header.getInt(4));
    long[][] blocks = blockTables(ifd);
    if (blocks != null) {
      checkBlocks(blocks[0], blocks[1], blocks[2][0] == 1);
    }
  }

  /** {offsets, byte counts, {1 when tiled}}, or null when the directory has neither table. */
  private long[][] blockTables(long ifd) throws IOException {
    ByteBuffer count = require(ifd, big ? 8 : 2, "its image directory");
    long entries = big ? count.getLong(0) : Short.toUnsignedInt(count.getShort(0));
    int entrySize = big ? 20 : 12;
    ByteBuffer table =
        require(ifd + (big ? 8 : 2), Math.toIntExact(entries * entrySize), "its image directory");
    long[] offsets = null;
    long[] counts = null;
    boolean tiled = false;
    for (int i = 0; i < entries; i++) {
      int at = i * entrySize;
      int tag = Short.toUnsignedInt(table.getShort(at));
      if (tag == TILE_OFFSETS || tag == STRIP_OFFSETS) {
        offsets = values(table, at);
        tiled = tag == TILE_OFFSETS;
      } else if (tag == TILE_BYTE_COUNTS || tag == STRIP_BYTE_COUNTS) {
        counts = values(table, at);
      }
    }
    return offsets == null || counts == null
        ? null
        : new long[][] {offsets, counts, {tiled ? 1 : 0}};
  }

  /** The unsigned integers of one directory entry (SHORT, LONG or LONG8), inline or not. */
  private long[] values(ByteBuffer table, int at) throws IOException {
    int type = Short.toUnsignedInt(table.getShort(at + 2));
    long count = big ? table.getLong(at + 4) : Integer.toUnsignedLong(table.getInt(at + 4));
    int width = type == 3 ? 2 : type == 4 ? 4 : type == 16 ? 8 : 0;
    if (width == 0 || count > Integer.MAX_VALUE / 8) {
      return new long[0]; // not a block table a reader could use: its reader reports it
    }
    int bytes = Math.toIntExact(count * width);
    int field = big ? at + 12 : at + 8;
    ByteBuffer data;
    if (bytes <= (big ? 8 : 4)) {
      data = table.duplicate().order(order).position(field).slice().order(order);
    } else {
      long offset = big ? table.getLong(field) : Integer.toUnsignedLong(table.getInt(field));
      data = require(offset, bytes, "its table of blocks");
    }
    long[] out = new long[(int) count];
    for (int i = 0; i < out.length; i++) {
      out[i] =
          width == 2
              ? Short.toUnsignedInt(data.getShort(i * 2))
              : width == 4 ? Integer.toUnsignedLong(data.getInt(i * 4)) : data.getLong(i * 8);
    }
    return out;
  }

  private void checkBlocks(long[] offsets, long[] counts, boolean tiled) {
    int blocks = Math.min(offsets.length, counts.length);
    for (int i = 0; i < blocks; i++) {
      String block = (tiled ? "tile " : "strip ") + (i + 1) + " of " + blocks;
      if (offsets[i] == 0 && counts[i] == 0) {
        // The TIFF decoder would read the file's first bytes as this block's pixels.
        throw new InvalidInputException(
            "raster has blocks that were never written ("
                + block
                + "; a GDAL sparse file, SPARSE_OK=YES), which cannot be read here; write a "
                + "complete copy first (gdal_translate IN.tif OUT.tif): "
                + path);
      }
      long end = offsets[i] + counts[i];
      if (end > size || end < 0) {
        throw cut(block, end);
      }
    }
  }

  private ByteBuffer require(long offset, int length, String what) throws IOException {
    ByteBuffer b = read(offset, length);
    if (b == null) {
      throw cut(what, offset + length);
    }
    return b;
  }

  /** {@code length} bytes from {@code offset}, or null when the file ends before. */
  private ByteBuffer read(long offset, int length) throws IOException {
    if (offset < 0 || offset + length > size) {
      return null;
    }
    ByteBuffer b = ByteBuffer.allocate(length);
    while (b.hasRemaining()) {
      if (file.read(b, offset + b.position()) < 0) {
        return null;
      }
    }
    return b.flip().order(order == null ? ByteOrder.LITTLE_ENDIAN : order);
  }

  private InvalidInputException cut(String what, long end) {
    return new InvalidInputException(
        "raster is cut short or damaged: "
            + what
            + " ends at byte "
            + end
            + ", the file has "
            + size
            + " bytes (an interrupted copy or download?): "
            + path);
  }
}
