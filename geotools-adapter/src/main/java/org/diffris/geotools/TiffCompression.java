package org.diffris.geotools;

import static org.diffris.geotools.TiffTags.COMPRESSION;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.diffris.pipeline.InvalidInputException;

/**
 * Refuses, at open, a TIFF compressed in a way the TIFF decoder of GeoTools (imageio-ext) cannot
 * read. Without this check the file opens (the tags are readable) and the first block read fails
 * with "Unsupported compression type", after the run started. The decoder reads exactly the
 * compressions listed in {@link #DECODED} (its {@code TIFFImageReader.getDecompressor}); GDAL
 * writes others (LERC, LZMA, WebP, JPEG-XL), and the way out is a copy in one the decoder reads.
 */
final class TiffCompression {
  /** TIFF compression codes the decoder reads, with their names. */
  static final Map<Integer, String> DECODED =
      Map.ofEntries(
          Map.entry(1, "none"),
          Map.entry(2, "CCITT RLE"),
          Map.entry(3, "CCITT Group 3"),
          Map.entry(4, "CCITT Group 4"),
          Map.entry(5, "LZW"),
          Map.entry(6, "old-style JPEG"),
          Map.entry(7, "JPEG"),
          Map.entry(8, "Deflate"),
          Map.entry(32773, "PackBits"),
          Map.entry(32946, "Deflate"),
          Map.entry(50000, "ZSTD"));

  /** Names of compressions met in GeoTIFFs that the decoder does not read. */
  private static final Map<Integer, String> NOT_DECODED =
      Map.of(
          34887, "LERC",
          34925, "LZMA",
          50001, "WebP",
          50002, "JPEG-XL",
          34712, "JPEG 2000",
          34661, "JBIG",
          34676, "SGILog",
          34677, "SGILog24",
          32809, "ThunderScan",
          34892, "lossy JPEG (DNG)");

  private TiffCompression() {}

  /**
   * Checks the first image of {@code file}; a file that is not a TIFF passes (its reader reports
   * it).
   *
   * @throws InvalidInputException naming the compression and the command that writes a readable
   *     copy
   */
  static void requireDecodable(Path file) {
    try (TiffDirectory d = TiffDirectory.open(file)) {
      if (d == null) {
        return;
      }
      long[] codes = d.integers(COMPRESSION, "its compression");
      int code = codes.length == 0 ? 1 : (int) codes[0];
      if (!DECODED.containsKey(code)) {
        throw new InvalidInputException(
            "raster is compressed with "
                + name(code)
                + ", which the GeoTIFF decoder here cannot read; write a copy it reads first:"
                + " gdal_translate -co COMPRESS=DEFLATE IN.tif OUT.tif (lossless; DEFLATE, LZW,"
                + " ZSTD, PACKBITS, JPEG or none are read): "
                + file);
      }
    } catch (IOException | ArithmeticException | IndexOutOfBoundsException e) {
      // unreadable or nonsense tables: the raster reader reports it with its own reason
    }
  }

  /** The compression's name and TIFF code, e.g. {@code LERC (TIFF compression 34887)}. */
  static String name(int code) {
    String name = NOT_DECODED.getOrDefault(code, DECODED.get(code));
    return (name == null ? "an unknown method" : name) + " (TIFF compression " + code + ")";
  }
}
