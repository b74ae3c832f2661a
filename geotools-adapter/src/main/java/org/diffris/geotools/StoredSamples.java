package org.diffris.geotools;

import static org.diffris.geotools.TiffTags.BITS_PER_SAMPLE;
import static org.diffris.geotools.TiffTags.SAMPLE_FORMAT;

import java.awt.Point;
import java.awt.image.BandedSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;
import org.diffris.pipeline.InvalidInputException;
import org.diffris.pipeline.SampleType;

/**
 * What a TIFF's samples are (its SampleFormat and BitsPerSample tags), where the TIFF decoder of
 * GeoTools (imageio-ext) decodes them as something else, and the decoded rows turned back into
 * their values. Java images have no signed 8-bit, unsigned 32-bit or 16-bit float type, so the
 * decoder gives:
 *
 * <ul>
 *   <li>signed 8-bit samples (GDAL's Int8, {@code PIXELTYPE=SIGNEDBYTE}) as unsigned bytes: -100
 *       reads 156. Turned into 16-bit signed samples;
 *   <li>unsigned 32-bit samples as signed ints: 3,000,000,000 reads negative. Turned into 64-bit
 *       floats, which hold every 32-bit integer exactly;
 *   <li>16-bit floats (GDAL's Float32 with {@code NBITS=16}) as their bit patterns, unsigned
 *       16-bit integers. Turned into 32-bit floats.
 * </ul>
 *
 * Refuses 64-bit integers (GDAL's Int64 and UInt64), which the decoder cannot read. Every other
 * type (unsigned 8 and 16, signed 16 and 32 bits, 32- and 64-bit floats, 1 to 7 bits) decodes as
 * it is stored.
 */
final class StoredSamples {
  private static final int UNSIGNED = 1;
  private static final int SIGNED = 2;
  private static final int FLOAT = 3;

  /** How the decoded samples are turned into values. */
  private enum Fix {
    NONE("", DataBuffer.TYPE_UNDEFINED, ""),
    SIGNED_BYTE("signed 8-bit samples (GDAL's Int8)", DataBuffer.TYPE_BYTE, "-ot Int16"),
    UNSIGNED_INT("unsigned 32-bit samples (GDAL's UInt32)", DataBuffer.TYPE_INT, "-ot Float64"),
    HALF_FLOAT(
        "16-bit float samples (GDAL's Float32 with NBITS=16)",
        DataBuffer.TYPE_USHORT,
        "-ot Float32");

    final String stored;

    /** The Java data type the decoder gives these samples as. */
    final int decodedAs;

    /** gdal_translate's options for a copy the decoder reads as it is stored. */
    final String copy;

    Fix(String stored, int decodedAs, String copy) {
      this.stored = stored;
      this.decodedAs = decodedAs;
      this.copy = copy;
    }
  }

  /** Samples the decoder reads as they are stored. */
  static final StoredSamples AS_DECODED = new StoredSamples(Fix.NONE);

  private final Fix fix;

  private StoredSamples(Fix fix) {
    this.fix = fix;
  }

  /**
   * The samples of the first image of {@code file}; {@link #AS_DECODED} for a file that is not a
   * TIFF this class reads (its reader reports it).
   *
   * @throws InvalidInputException for 64-bit integer samples
   */
  static StoredSamples of(Path file) {
    try (TiffDirectory d = TiffDirectory.open(file)) {
      if (d == null) {
        return AS_DECODED;
      }
      long[] bits = d.integers(BITS_PER_SAMPLE, "its bits per sample");
      long[] formats = d.integers(SAMPLE_FORMAT, "its sample format");
      int b = bits.length == 0 ? 1 : (int) bits[0];
      int format = formats.length == 0 ? UNSIGNED : (int) formats[0];
      if (b == 64 && (format == UNSIGNED || format == SIGNED)) {
        throw new InvalidInputException(
            "raster stores 64-bit integer samples (GDAL's "
                + (format == SIGNED ? "Int64" : "UInt64")
                + "), which the GeoTIFF decoder here cannot read; write a copy in a type it reads"
                + " first (gdal_translate -ot Float64 IN.tif OUT.tif keeps every value up to"
                + " 2^53; -ot Int32 or UInt32 when the values fit): "
                + file);
      }
      if (b == 8 && format == SIGNED) {
        return new StoredSamples(Fix.SIGNED_BYTE);
      }
      if (b == 32 && format == UNSIGNED) {
        return new StoredSamples(Fix.UNSIGNED_INT);
      }
      if (b == 16 && format == FLOAT) {
        return new StoredSamples(Fix.HALF_FLOAT);
      }
      return AS_DECODED;
    } catch (IOException | ArithmeticException | IndexOutOfBoundsException e) {
      return AS_DECODED; // unreadable or nonsense tables: the raster reader reports it
    }
  }

  /**
   * The samples of a coverage decoded from {@code files} (GeoServer's published GeoTIFFs, found
   * through its image chain by {@link CoverageFiles}) whose image now has samples of {@code
   * dataType}: {@link #AS_DECODED} when none of the files needs a fix. The fix holds only while
   * the image still has the decoder's stand-in type (a crop or band selection keeps it); samples
   * already converted to another type cannot be told back into values, nor can a mosaic of files
   * stored in different types: both are refused with the copy to publish instead.
   *
   * @throws InvalidInputException for 64-bit integer samples, and for the cases above
   */
  static StoredSamples ofCoverage(Collection<Path> files, int dataType) {
    Set<Fix> fixes = EnumSet.noneOf(Fix.class);
    for (Path file : files) {
      fixes.add(of(file).fix);
    }
    if (fixes.isEmpty() || fixes.equals(EnumSet.of(Fix.NONE))) {
      return AS_DECODED;
    }
    Fix fix = fixes.stream().filter(f -> f != Fix.NONE).findFirst().orElseThrow();
    if (fixes.size() > 1) {
      throw new InvalidInputException(
          "the coverage is read from "
              + files.size()
              + " files, some storing "
              + fix.stored
              + " and some not, so their values cannot be read as one raster; publish copies"
              + " in one type (gdal_translate "
              + fix.copy
              + " IN.tif OUT.tif): "
              + files);
    }
    if (dataType != fix.decodedAs) {
      throw new InvalidInputException(
          "the coverage stores "
              + fix.stored
              + ", which reach this process already converted to "
              + typeName(dataType)
              + ", and their values cannot be told back from that; publish a copy in a type"
              + " GeoTools reads as it is stored (gdal_translate "
              + fix.copy
              + " IN.tif OUT.tif): "
              + files);
    }
    return new StoredSamples(fix);
  }

  private static String typeName(int dataType) {
    return switch (dataType) {
      case DataBuffer.TYPE_BYTE -> "unsigned 8-bit samples";
      case DataBuffer.TYPE_USHORT -> "unsigned 16-bit samples";
      case DataBuffer.TYPE_SHORT -> "signed 16-bit samples";
      case DataBuffer.TYPE_INT -> "signed 32-bit samples";
      case DataBuffer.TYPE_FLOAT -> "32-bit floats";
      case DataBuffer.TYPE_DOUBLE -> "64-bit floats";
      default -> "samples of Java data type " + dataType;
    };
  }

  /**
   * The sample type of the values, or null when it is the decoded image's (which {@link
   * RasterSamples} reads from its sample model).
   */
  SampleType sampleType() {
    return switch (fix) {
      case NONE -> null;
      case SIGNED_BYTE -> new SampleType(SampleType.Kind.SIGNED_INTEGER, 8, 0);
      case UNSIGNED_INT -> new SampleType(SampleType.Kind.UNSIGNED_INTEGER, 32, 0);
      case HALF_FLOAT -> new SampleType(SampleType.Kind.FLOAT, 16, 0);
    };
  }

  /** The Java data type that holds the values, or {@code decodedType} when no fix is needed. */
  private int dataType(int decodedType) {
    return switch (fix) {
      case NONE -> decodedType;
      case SIGNED_BYTE -> DataBuffer.TYPE_SHORT;
      case UNSIGNED_INT -> DataBuffer.TYPE_DOUBLE;
      case HALF_FLOAT -> DataBuffer.TYPE_FLOAT;
    };
  }

  /** The sample model of the values, for the decoder's {@code decoded}. */
  SampleModel sampleModel(SampleModel decoded) {
    if (fix == Fix.NONE) {
      return decoded;
    }
    return new BandedSampleModel(
        dataType(decoded.getDataType()),
        decoded.getWidth(),
        decoded.getHeight(),
        decoded.getNumBands());
  }

  /** The values of {@code decoded} rows: the same raster when no fix is needed, else a copy. */
  Raster values(Raster decoded) {
    if (fix == Fix.NONE) {
      return decoded;
    }
    int w = decoded.getWidth();
    int h = decoded.getHeight();
    int bands = decoded.getNumBands();
    WritableRaster out =
        Raster.createWritableRaster(
            new BandedSampleModel(dataType(decoded.getDataBuffer().getDataType()), w, h, bands),
            new Point(decoded.getMinX(), decoded.getMinY()));
    int[] raw = new int[w];
    double[] values = new double[w];
    for (int b = 0; b < bands; b++) {
      for (int y = decoded.getMinY(); y < decoded.getMinY() + h; y++) {
        decoded.getSamples(decoded.getMinX(), y, w, 1, b, raw);
        for (int x = 0; x < w; x++) {
          values[x] =
              switch (fix) {
                case SIGNED_BYTE -> (byte) raw[x];
                case UNSIGNED_INT -> raw[x] & 0xffffffffL;
                default -> halfToFloat(raw[x]);
              };
        }
        out.setSamples(decoded.getMinX(), y, w, 1, b, values);
      }
    }
    return out;
  }

  /** An IEEE 754 half-precision bit pattern as the float it stands for (exactly). */
  static float halfToFloat(int half) {
    int sign = (half & 0x8000) << 16;
    int exponent = (half >>> 10) & 0x1f;
    int mantissa = half & 0x3ff;
    if (exponent == 0x1f) { // infinity or NaN
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent == 0) { // zero or subnormal: mantissa x 2^-24
      float v = mantissa * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }
}
