package org.diffris.geotools;

import static org.diffris.geotools.TiffTags.BITS_PER_SAMPLE;
import static org.diffris.geotools.TiffTags.EXTRA_SAMPLES;
import static org.diffris.geotools.TiffTags.GDAL_METADATA;
import static org.diffris.geotools.TiffTags.PHOTOMETRIC;
import static org.diffris.geotools.TiffTags.SAMPLES_PER_PIXEL;
import static org.diffris.geotools.TiffTags.SAMPLE_FORMAT;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffris.pipeline.BandRole;
import org.diffris.pipeline.InvalidInputException;

/**
 * What a GeoTIFF says its bands hold, from its first directory: the photometric interpretation
 * (RGB: bands 1 to 3 are red, green, blue), the extra samples (associated or unassociated alpha)
 * and GDAL's colour interpretation ({@code COLORINTERP} items of the GDAL_METADATA tag, which is
 * how GDAL records a blue-green-red or an RGBA band order), the latter winning. Also refuses
 * samples of more than 16 bits other than 32 and 64 (packed 17- to 31-bit integers), which no
 * decoder here reads; 9 to 15 bits are {@link PackedSamples}' job.
 */
final class TiffBands {
  private static final int PHOTOMETRIC_RGB = 2;

  private static final Pattern COLOUR_ITEM =
      Pattern.compile(
          "<Item\\s+name=\"COLORINTERP\"\\s+sample=\"(\\d+)\"\\s+role=\"colorinterp\"\\s*>"
              + "([^<]*)</Item>");

  private TiffBands() {}

  /**
   * The role of every band of {@code file}, or an empty list when the file says nothing of them
   * (or is not a TIFF this class can read: its reader reports that).
   *
   * @throws InvalidInputException when the samples are packed in an unreadable bit depth, or
   *     complex
   */
  static List<BandRole> roles(Path file) {
    try (TiffDirectory d = TiffDirectory.open(file)) {
      if (d == null) {
        return List.of();
      }
      long[] bits = d.integers(BITS_PER_SAMPLE, "its bits per sample");
      requireReadableBits(bits, file);
      requireRealSamples(d.integers(SAMPLE_FORMAT, "its sample format"), file);
      long[] samples = d.integers(SAMPLES_PER_PIXEL, "its samples per pixel");
      int bands = samples.length == 0 ? 1 : (int) samples[0];
      if (bands < 1 || bands > 1 << 16) {
        return List.of();
      }
      List<BandRole> roles = new ArrayList<>(Collections.nCopies(bands, BandRole.OTHER));
      long[] photometric = d.integers(PHOTOMETRIC, "its photometric interpretation");
      int colours = 1;
      if (photometric.length == 1 && photometric[0] == PHOTOMETRIC_RGB && bands >= 3) {
        roles.set(0, BandRole.RED);
        roles.set(1, BandRole.GREEN);
        roles.set(2, BandRole.BLUE);
        colours = 3;
      }
      long[] extra = d.integers(EXTRA_SAMPLES, "its extra samples");
      for (int i = 0; i < extra.length && colours + i < bands; i++) {
        if (extra[i] == 1 || extra[i] == 2) { // associated or unassociated alpha
          roles.set(colours + i, BandRole.ALPHA);
        }
      }
      String gdal = d.text(GDAL_METADATA);
      if (gdal != null) {
        Matcher m = COLOUR_ITEM.matcher(gdal);
        while (m.find()) {
          int sample = Integer.parseInt(m.group(1));
          if (sample < bands) {
            roles.set(sample, role(m.group(2)));
          }
        }
      }
      return roles.stream().allMatch(r -> r == BandRole.OTHER) ? List.of() : List.copyOf(roles);
    } catch (IOException | RuntimeException e) {
      if (e instanceof InvalidInputException invalid) {
        throw invalid;
      }
      return List.of(); // unreadable or nonsense tables: the raster reader reports it
    }
  }

  private static void requireReadableBits(long[] bits, Path file) {
    for (long b : bits) {
      // 9 to 15 bits: PackedSamples decodes them
      if (b > 16 && b != 32 && b != 64) {
        throw new InvalidInputException(
            "raster stores "
                + b
                + "-bit samples packed (GDAL's NBITS="
                + b
                + "), which cannot be decoded here; write a 32-bit copy first (gdal_translate"
                + " -ot UInt32 IN.tif OUT.tif): "
                + file);
      }
    }
  }

  /** TIFF sample formats 5 and 6 are complex integers and floats (radar data, not imagery). */
  private static void requireRealSamples(long[] formats, Path file) {
    for (long f : formats) {
      if (f == 5 || f == 6) {
        throw new InvalidInputException(
            "raster stores complex samples (radar data, for example), which are read neither"
                + " as imagery nor as a mask; write the amplitude as a real-valued copy first (gdal_translate -ot"
                + " Float32 IN.tif OUT.tif keeps the real part; gdal_calc.py --calc=\"abs(A)\""
                + " the amplitude): "
                + file);
      }
    }
  }

  private static BandRole role(String gdalName) {
    return switch (gdalName.strip().toLowerCase(Locale.ROOT)) {
      case "red" -> BandRole.RED;
      case "green" -> BandRole.GREEN;
      case "blue" -> BandRole.BLUE;
      case "alpha" -> BandRole.ALPHA;
      default -> BandRole.OTHER;
    };
  }
}
