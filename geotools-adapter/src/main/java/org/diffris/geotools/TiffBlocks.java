package org.diffris.geotools;

import static org.diffris.geotools.TiffTags.STRIP_BYTE_COUNTS;
import static org.diffris.geotools.TiffTags.STRIP_OFFSETS;
import static org.diffris.geotools.TiffTags.TILE_BYTE_COUNTS;
import static org.diffris.geotools.TiffTags.TILE_OFFSETS;

import java.io.IOException;
import java.nio.file.Path;
import org.diffris.pipeline.InvalidInputException;

/**
 * Refuses a TIFF whose pixel data does not fit in the file: a strip or tile, or the table that
 * lists them, that ends past its last byte. A cut file (an interrupted copy or download) is
 * otherwise decoded with the missing blocks as zeros: a wrong answer without an error. Also
 * refuses blocks never written (offset and size 0, GDAL's sparse files), which GDAL reads as
 * nodata but the TIFF decoder here would fill with the file's first bytes.
 *
 * <p>Reads the first image file directory itself ({@link TiffDirectory}): the TIFF decoder loads
 * these tables lazily and would not tell.
 */
final class TiffBlocks {
  private TiffBlocks() {}

  /**
   * Checks the first image of {@code file}; a file that is not a TIFF passes (its reader reports
   * it).
   *
   * @throws InvalidInputException naming what lies past the end of the file
   */
  static void requireInFile(Path file) {
    try (TiffDirectory d = TiffDirectory.open(file)) {
      if (d == null) {
        return;
      }
      boolean tiled = d.has(TILE_OFFSETS);
      long[] offsets = d.integers(tiled ? TILE_OFFSETS : STRIP_OFFSETS, "its table of blocks");
      long[] counts =
          d.integers(tiled ? TILE_BYTE_COUNTS : STRIP_BYTE_COUNTS, "its table of blocks");
      checkBlocks(offsets, counts, tiled, d.fileSize(), file);
    } catch (TiffDirectory.CutShort e) {
      throw cut(e.what, e.end, sizeOf(file), file);
    } catch (IOException | ArithmeticException | IndexOutOfBoundsException e) {
      // unreadable or nonsense tables: the raster reader reports it with its own reason
    }
  }

  private static void checkBlocks(
      long[] offsets, long[] counts, boolean tiled, long size, Path path) {
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
        throw cut(block, end, size, path);
      }
    }
  }

  private static long sizeOf(Path file) {
    try {
      return java.nio.file.Files.size(file);
    } catch (IOException e) {
      return -1;
    }
  }

  private static InvalidInputException cut(String what, long end, long size, Path path) {
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
