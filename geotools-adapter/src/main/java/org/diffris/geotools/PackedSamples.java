package org.diffris.geotools;

import static org.diffris.geotools.TiffTags.BITS_PER_SAMPLE;
import static org.diffris.geotools.TiffTags.COMPRESSION;
import static org.diffris.geotools.TiffTags.FILL_ORDER;
import static org.diffris.geotools.TiffTags.IMAGE_LENGTH;
import static org.diffris.geotools.TiffTags.IMAGE_WIDTH;
import static org.diffris.geotools.TiffTags.PLANAR_CONFIGURATION;
import static org.diffris.geotools.TiffTags.PREDICTOR;
import static org.diffris.geotools.TiffTags.ROWS_PER_STRIP;
import static org.diffris.geotools.TiffTags.SAMPLES_PER_PIXEL;
import static org.diffris.geotools.TiffTags.SAMPLE_FORMAT;
import static org.diffris.geotools.TiffTags.STRIP_BYTE_COUNTS;
import static org.diffris.geotools.TiffTags.STRIP_OFFSETS;
import static org.diffris.geotools.TiffTags.TILE_BYTE_COUNTS;
import static org.diffris.geotools.TiffTags.TILE_LENGTH;
import static org.diffris.geotools.TiffTags.TILE_OFFSETS;
import static org.diffris.geotools.TiffTags.TILE_WIDTH;

import java.awt.Point;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.diffris.pipeline.InvalidInputException;

/**
 * Decodes TIFF samples packed in 9 to 15 bits (GDAL's {@code NBITS}, sensors' 11- and 12-bit
 * data), which the TIFF decoder of GeoTools (imageio-ext) reads as garbage or fails on: strips
 * or tiles, pixel- or band-interleaved, uncompressed, Deflate, LZW or PackBits, each row's bits
 * most significant first and starting on a byte, as TIFF 6.0 says. Rows come out as unsigned
 * 16-bit samples. Keeps the last decoded block; not thread-safe (the tiler reads from one thread).
 */
final class PackedSamples {
  private final Path path;
  private final int width;
  private final int height;
  private final int bits;
  private final int samples;
  private final int compression;
  private final boolean planar;
  private final int blockWidth;
  private final int blockHeight;
  private final long[] offsets;
  private final long[] counts;
  private int cachedBlock = -1;
  private int[] cached;

  private PackedSamples(Path path, TiffDirectory d, int bits) throws IOException {
    this.path = path;
    this.bits = bits;
    this.width = (int) first(d, IMAGE_WIDTH);
    this.height = (int) first(d, IMAGE_LENGTH);
    long[] spp = d.integers(SAMPLES_PER_PIXEL, "its samples per pixel");
    this.samples = spp.length == 0 ? 1 : (int) spp[0];
    long[] c = d.integers(COMPRESSION, "its compression");
    this.compression = c.length == 0 ? 1 : (int) c[0];
    long[] pc = d.integers(PLANAR_CONFIGURATION, "its planar configuration");
    this.planar = pc.length == 1 && pc[0] == 2;
    long[] predictor = d.integers(PREDICTOR, "its predictor");
    long[] fill = d.integers(FILL_ORDER, "its fill order");
    if ((predictor.length == 1 && predictor[0] != 1) || (fill.length == 1 && fill[0] != 1)) {
      throw refuse(path, bits, "with a predictor or a reversed bit order");
    }
    if (compression != 1
        && compression != 5
        && compression != 8
        && compression != 32946
        && compression != 32773) {
      throw refuse(path, bits, "compressed with TIFF compression " + compression);
    }
    if (d.has(TILE_OFFSETS)) {
      this.blockWidth = (int) first(d, TILE_WIDTH);
      this.blockHeight = (int) first(d, TILE_LENGTH);
      this.offsets = d.integers(TILE_OFFSETS, "its table of tiles");
      this.counts = d.integers(TILE_BYTE_COUNTS, "its table of tiles");
    } else {
      long[] rows = d.integers(ROWS_PER_STRIP, "its rows per strip");
      this.blockWidth = width;
      this.blockHeight = rows.length == 0 ? height : (int) Math.min(rows[0], height);
      this.offsets = d.integers(STRIP_OFFSETS, "its table of strips");
      this.counts = d.integers(STRIP_BYTE_COUNTS, "its table of strips");
    }
    if (width < 1 || height < 1 || samples < 1 || blockWidth < 1 || blockHeight < 1) {
      throw refuse(path, bits, "with a nonsense layout");
    }
  }

  /**
   * The decoder of {@code path} when its samples are packed in 9 to 15 bits, else null.
   *
   * @throws InvalidInputException when they are but in a layout this decoder does not read
   */
  static PackedSamples openIfPacked(Path path) {
    try (TiffDirectory d = TiffDirectory.open(path)) {
      if (d == null) {
        return null;
      }
      long[] bits = d.integers(BITS_PER_SAMPLE, "its bits per sample");
      if (bits.length == 0 || bits[0] <= 8 || bits[0] >= 16) {
        return null;
      }
      for (long b : bits) {
        if (b != bits[0]) {
          throw refuse(path, (int) bits[0], "with bands of different bit depths");
        }
      }
      long[] formats = d.integers(SAMPLE_FORMAT, "its sample format");
      if (formats.length > 0 && formats[0] != 1) {
        // Only unsigned integers are packed by GDAL; anything else would be read as unsigned.
        throw refuse(path, (int) bits[0], "as signed or floating-point values");
      }
      return new PackedSamples(path, d, (int) bits[0]);
    } catch (InvalidInputException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      return null; // its reader reports a file it cannot read
    }
  }

  /**
   * The decoder of the file's internal mask (GDAL's per-dataset mask: a 1-bit image of the same
   * size marked as a transparency mask, 0 where there is no data), or null when it has none.
   */
  static PackedSamples openMask(Path path) {
    try (TiffDirectory first = TiffDirectory.open(path)) {
      if (first == null) {
        return null;
      }
      long width = first(first, IMAGE_WIDTH);
      long height = first(first, IMAGE_LENGTH);
      try (TiffDirectory mask = TiffDirectory.openMask(path)) {
        if (mask == null
            || first(mask, IMAGE_WIDTH) != width
            || first(mask, IMAGE_LENGTH) != height) {
          return null;
        }
        long[] bits = mask.integers(BITS_PER_SAMPLE, "its mask's bits per sample");
        if (bits.length != 1 || bits[0] != 1) {
          return null;
        }
        return new PackedSamples(path, mask, 1);
      }
    } catch (InvalidInputException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static long first(TiffDirectory d, int tag) throws IOException {
    long[] v = d.integers(tag, "tag " + tag);
    if (v.length == 0) {
      throw new IOException("tag " + tag + " missing");
    }
    return v[0];
  }

  private static InvalidInputException refuse(Path path, int bits, String how) {
    return new InvalidInputException(
        "raster stores "
            + bits
            + "-bit samples packed (GDAL's NBITS="
            + bits
            + ") "
            + how
            + ", which cannot be decoded here; write a 16-bit copy first (gdal_translate -co"
            + " NBITS=16 IN.tif OUT.tif): the values stay the same and --scale auto finds their "
            + bits
            + " bits from them (or give --scale bits:"
            + bits
            + "): "
            + path);
  }

  int bits() {
    return bits;
  }

  int width() {
    return width;
  }

  int height() {
    return height;
  }

  int bands() {
    return samples;
  }

  /** Rows {@code [firstRow, firstRow + rows)}, full width, every band, as 16-bit samples. */
  Raster readRows(int firstRow, int rows) throws IOException {
    WritableRaster out =
        Raster.createInterleavedRaster(
            DataBuffer.TYPE_USHORT, width, rows, samples, new Point(0, firstRow));
    int[] pixel = new int[1];
    int across = (width + blockWidth - 1) / blockWidth;
    int down = (height + blockHeight - 1) / blockHeight;
    for (int band = 0; band < (planar ? samples : 1); band++) {
      for (int by = firstRow / blockHeight; by <= (firstRow + rows - 1) / blockHeight; by++) {
        for (int bx = 0; bx < across; bx++) {
          int index = (planar ? band * down * across : 0) + by * across + bx;
          int[] block = block(index);
          int perPixel = planar ? 1 : samples;
          int y0 = Math.max(firstRow, by * blockHeight);
          int y1 = Math.min(Math.min(firstRow + rows, height), (by + 1) * blockHeight);
          int x1 = Math.min(width, (bx + 1) * blockWidth);
          for (int y = y0; y < y1; y++) {
            int rowStart = (y - by * blockHeight) * blockWidth * perPixel;
            for (int x = bx * blockWidth; x < x1; x++) {
              int at = rowStart + (x - bx * blockWidth) * perPixel;
              for (int s = 0; s < perPixel; s++) {
                pixel[0] = block[at + s];
                out.setSample(x, y, planar ? band : s, pixel[0]);
              }
            }
          }
        }
      }
    }
    return out;
  }

  /** The samples of one strip or tile, row by row (rows padded to whole bytes in the file). */
  private int[] block(int index) throws IOException {
    if (index == cachedBlock) {
      return cached;
    }
    if (index >= offsets.length || index >= counts.length) {
      throw new IOException("block " + (index + 1) + " missing from the file's table: " + path);
    }
    ByteBuffer raw = ByteBuffer.allocate(Math.toIntExact(counts[index]));
    try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
      while (raw.hasRemaining()) {
        if (file.read(raw, offsets[index] + raw.position()) < 0) {
          throw new IOException("the file ends inside block " + (index + 1) + ": " + path);
        }
      }
    }
    int perPixel = planar ? 1 : samples;
    int rowBytes = (blockWidth * perPixel * bits + 7) / 8;
    // Tiles are whole; a strip holds the rows left when it is the image's last.
    int down = (height + blockHeight - 1) / blockHeight;
    int blockRow =
        (index % (down * ((width + blockWidth - 1) / blockWidth)))
            / ((width + blockWidth - 1) / blockWidth);
    int rowsNeeded =
        blockWidth == width ? Math.min(blockHeight, height - blockRow * blockHeight) : blockHeight;
    byte[] data = decompress(raw.array(), rowBytes * blockHeight);
    if (data.length < rowBytes * rowsNeeded) {
      // Never read missing rows as zeros.
      throw new IOException(
          "block "
              + (index + 1)
              + " of the raster decodes to "
              + data.length
              + " bytes, "
              + rowBytes * rowsNeeded
              + " expected (a damaged file?): "
              + path);
    }
    int[] values = new int[blockWidth * perPixel * blockHeight];
    for (int r = 0; r < rowsNeeded; r++) {
      long bit = (long) r * rowBytes * 8;
      for (int i = 0; i < blockWidth * perPixel; i++) {
        values[r * blockWidth * perPixel + i] = read(data, bit, bits);
        bit += bits;
      }
    }
    cachedBlock = index;
    cached = values;
    return values;
  }

  /** {@code n} bits from bit {@code at}, most significant first. */
  private static int read(byte[] data, long at, int n) {
    int v = 0;
    for (int i = 0; i < n; i++) {
      long b = at + i;
      v = (v << 1) | ((data[(int) (b >>> 3)] >> (7 - (int) (b & 7))) & 1);
    }
    return v;
  }

  private byte[] decompress(byte[] in, int expected) throws IOException {
    switch (compression) {
      case 1:
        return in;
      case 8:
      case 32946:
        Inflater inflater = new Inflater();
        try {
          inflater.setInput(in);
          byte[] out = new byte[expected];
          int n = 0;
          while (n < expected && !inflater.finished()) {
            int got = inflater.inflate(out, n, expected - n);
            if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
              break;
            }
            n += got;
          }
          // Read on to the stream's end, where zlib checks its Adler-32 sum of the data.
          byte[] rest = new byte[64];
          while (!inflater.finished() && !inflater.needsInput() && !inflater.needsDictionary()) {
            if (inflater.inflate(rest) > 0) {
              throw new IOException("a Deflate block holds more than its rows: " + path);
            }
          }
          return n == expected ? out : java.util.Arrays.copyOf(out, n);
        } catch (DataFormatException e) {
          throw new IOException(
              "a Deflate block cannot be decoded ("
                  + e.getMessage()
                  + "; a damaged file?): "
                  + path);
        } finally {
          inflater.end();
        }
      case 5:
        return Lzw.decode(in, expected);
      default:
        return packBits(in, expected);
    }
  }

  private static byte[] packBits(byte[] in, int expected) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(expected);
    int i = 0;
    while (i < in.length && out.size() < expected) {
      int n = in[i++];
      if (n >= 0) {
        out.write(in, i, Math.min(n + 1, in.length - i));
        i += n + 1;
      } else if (n != -128 && i < in.length) {
        byte b = in[i++];
        for (int k = 0; k < 1 - n; k++) {
          out.write(b);
        }
      }
    }
    return out.toByteArray();
  }

  /** TIFF's LZW: codes of 9 to 12 bits, most significant first, widened one code early. */
  static final class Lzw {
    private Lzw() {}

    static byte[] decode(byte[] in, int expected) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(expected);
      byte[][] table = new byte[4096][];
      for (int i = 0; i < 256; i++) {
        table[i] = new byte[] {(byte) i};
      }
      int next = 258;
      int width = 9;
      long bit = 0;
      byte[] previous = null;
      long bits = (long) in.length * 8;
      while (bit + width <= bits) {
        int code = read(in, bit, width);
        bit += width;
        if (code == 257) {
          break;
        }
        if (code == 256) {
          next = 258;
          width = 9;
          previous = null;
          continue;
        }
        byte[] entry;
        if (code < next && table[code] != null) {
          entry = table[code];
        } else if (previous != null && code == next) {
          entry = append(previous, previous[0]);
        } else {
          break; // a damaged stream: stop, the missing rows stay 0 and are reported short
        }
        out.write(entry, 0, entry.length);
        if (previous != null && next < 4096) {
          table[next++] = append(previous, entry[0]);
        }
        previous = entry;
        if (next + 1 >= (1 << width) && width < 12) {
          width++;
        }
      }
      return out.toByteArray();
    }

    private static byte[] append(byte[] a, byte b) {
      byte[] c = java.util.Arrays.copyOf(a, a.length + 1);
      c[a.length] = b;
      return c;
    }
  }
}
