package org.diffris.geotools;

import static org.diffris.geotools.TiffTags.BITS_PER_SAMPLE;
import static org.diffris.geotools.TiffTags.COLOR_MAP;
import static org.diffris.geotools.TiffTags.PHOTOMETRIC;
import static org.diffris.geotools.TiffTags.SAMPLES_PER_PIXEL;

import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Path;
import org.diffris.pipeline.PaletteColours;
import org.diffris.runtime.tiling.RasterSource;

/**
 * A TIFF's colour table (photometric interpretation "palette", its ColorMap tag) or a Java
 * image's {@link IndexColorModel}, as the 8-bit colours {@link PaletteColours} feeds the model.
 * TIFF stores 16-bit colours (GDAL writes each 8-bit one times 257); they are rounded to 8 bits.
 */
record TiffPalette(int[] red, int[] green, int[] blue) {
  private static final int PHOTOMETRIC_PALETTE = 3;

  /** The palette of the first image of {@code file}, or null when it has none. */
  static TiffPalette of(Path file) {
    try (TiffDirectory d = TiffDirectory.open(file)) {
      if (d == null) {
        return null;
      }
      long[] photometric = d.integers(PHOTOMETRIC, "its photometric interpretation");
      long[] samples = d.integers(SAMPLES_PER_PIXEL, "its samples per pixel");
      long[] bits = d.integers(BITS_PER_SAMPLE, "its bits per sample");
      long[] map = d.integers(COLOR_MAP, "its colour map");
      if (photometric.length != 1
          || photometric[0] != PHOTOMETRIC_PALETTE
          || (samples.length == 1 && samples[0] != 1)
          || bits.length != 1
          || bits[0] < 1
          || bits[0] > 16
          || map.length != 3L << bits[0]) {
        return null;
      }
      int n = map.length / 3;
      int[][] colours = new int[3][n];
      for (int c = 0; c < 3; c++) {
        for (int i = 0; i < n; i++) {
          colours[c][i] = (int) ((map[c * n + i] * 255 + 32767) / 65535);
        }
      }
      return new TiffPalette(colours[0], colours[1], colours[2]);
    } catch (IOException | ArithmeticException | IndexOutOfBoundsException e) {
      return null; // unreadable or nonsense tables: the raster reader reports it
    }
  }

  /** The palette of a one-band image's colour model, or null when it has none. */
  static TiffPalette of(ColorModel colours, int bands) {
    if (bands != 1 || !(colours instanceof IndexColorModel palette)) {
      return null;
    }
    int n = palette.getMapSize();
    int[][] c = new int[3][n];
    for (int i = 0; i < n; i++) {
      c[0][i] = palette.getRed(i);
      c[1][i] = palette.getGreen(i);
      c[2][i] = palette.getBlue(i);
    }
    return new TiffPalette(c[0], c[1], c[2]);
  }

  /** {@code indices} read as the colours of this palette. */
  RasterSource colours(RasterSource indices) {
    return new PaletteColours(indices, red, green, blue);
  }
}
