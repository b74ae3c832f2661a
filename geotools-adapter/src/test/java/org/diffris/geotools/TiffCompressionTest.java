package org.diffris.geotools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.diffris.pipeline.InvalidInputException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every compression GDAL writes is either read with the values of the uncompressed file or
 * refused when the file is opened, with the command that writes a readable copy; never a failure
 * after the run started. Needs GDAL's gdal_translate (Debian's gdal-bin).
 */
class TiffCompressionTest {
  @TempDir static Path dir;

  @BeforeAll
  static void needsGdal() {
    GdalFixtures.assumeGdal();
  }

  /** A 64 x 64 crop of the port scene written with {@code options}. */
  static Path crop(String name, String... options) throws Exception {
    String[] all = new String[options.length + 5];
    System.arraycopy(new String[] {"-srcwin", "0", "0", "64", "64"}, 0, all, 0, 5);
    System.arraycopy(options, 0, all, 5, options.length);
    return GdalFixtures.translate(GdalFixtures.PORT, dir, name, all);
  }

  @Test
  void readableCompressionsGiveTheUncompressedValues() throws Exception {
    float[] plain = TiffBandsTest.read(crop("none.tif", "-co", "COMPRESS=NONE"));
    for (String c : new String[] {"LZW", "PACKBITS", "DEFLATE", "ZSTD"}) {
      for (String predictor : new String[] {"1", "2"}) {
        Path file =
            crop(c + predictor + ".tif", "-co", "COMPRESS=" + c, "-co", "PREDICTOR=" + predictor);
        assertArrayEquals(plain, TiffBandsTest.read(file), c + " predictor " + predictor);
        try (GeoTiffRaster raster = GeoTiffRaster.openWithGeoTools(file)) {
          raster.readRows(0, raster.height());
        }
      }
    }
    // lossy, but read
    TiffBandsTest.read(crop("jpeg.tif", "-co", "COMPRESS=JPEG"));
  }

  @Test
  void unreadableCompressionsAreRefusedAtOpenWithTheCommandThatWritesACopy() throws Exception {
    String[][] cases = {
      {"LERC", "LERC (TIFF compression 34887)"},
      {"LERC_DEFLATE", "LERC (TIFF compression 34887)"},
      {"LERC_ZSTD", "LERC (TIFF compression 34887)"},
      {"LZMA", "LZMA (TIFF compression 34925)"},
      {"WEBP", "WebP (TIFF compression 50001)"}
    };
    for (String[] c : cases) {
      Path file = crop(c[0] + ".tif", "-co", "COMPRESS=" + c[0]);
      for (boolean geoTools : new boolean[] {false, true}) {
        InvalidInputException e =
            assertThrows(
                InvalidInputException.class,
                () ->
                    (geoTools ? GeoTiffRaster.openWithGeoTools(file) : GeoTiffRaster.open(file))
                        .close(),
                c[0]);
        assertTrue(
            e.getMessage().startsWith("raster is compressed with " + c[1] + ", which"),
            e.getMessage());
        assertTrue(
            e.getMessage().contains("gdal_translate -co COMPRESS=DEFLATE IN.tif OUT.tif"),
            e.getMessage());
      }
    }
  }
}
