package org.diffris.geotools;

import static org.diffris.geotools.TiffTags.NEW_SUBFILE_TYPE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The first image file directory of a TIFF (classic or BigTIFF, either byte order), read from
 * the file itself: the tags this project needs before or beside the TIFF decoder, which loads
 * its tables lazily and keeps some tags (GDAL's metadata) to itself. Values are read on demand;
 * a value that lies past the end of the file is reported as such ({@link CutShort}).
 */
final class TiffDirectory implements AutoCloseable {
  /** A table or value that ends past the file's last byte. */
  static final class CutShort extends IOException {
    private static final long serialVersionUID = 1L;
    final String what;
    final long end;

    CutShort(String what, long end) {
      super(what + " ends at byte " + end);
      this.what = what;
      this.end = end;
    }
  }

  private final FileChannel file;
  private final long size;
  private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
  private boolean big;
  private ByteBuffer table;
  private final Map<Integer, Integer> entries = new HashMap<>(); // tag -> offset in table
  private long next; // offset of the next directory, 0 at the last

  private TiffDirectory(FileChannel file) throws IOException {
    this.file = file;
    this.size = file.size();
  }

  /**
   * The first directory of {@code path}, or null when the file is not a TIFF.
   *
   * @throws IOException when it cannot be read, {@link CutShort} when the directory lies past
   *     the end of the file
   */
  static TiffDirectory open(Path path) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      TiffDirectory d = new TiffDirectory(channel);
      if (d.readFirst()) {
        return d;
      }
      channel.close();
      return null;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * The directory of the file's internal mask: the first after the image marked as a
   * transparency mask of the full-resolution image (NewSubfileType 4, as GDAL writes it; an
   * overview's mask says 5), or null when there is none. Looks at 64 directories at most.
   */
  static TiffDirectory openMask(Path path) throws IOException {
    TiffDirectory d = open(path);
    for (int i = 0; d != null && i < 64; i++) {
      long[] type = d.integers(NEW_SUBFILE_TYPE, "its subfile type");
      if (i > 0 && type.length == 1 && type[0] == 4) {
        return d;
      }
      long at = d.next;
      if (at == 0) {
        d.close();
        return null;
      }
      TiffDirectory following = new TiffDirectory(FileChannel.open(path, StandardOpenOption.READ));
      try {
        following.order = d.order;
        following.big = d.big;
        following.readAt(at);
      } catch (IOException | RuntimeException e) {
        following.close();
        d.close();
        throw e;
      }
      d.close();
      d = following;
    }
    if (d != null) {
      d.close();
    }
    return null;
  }

  long fileSize() {
    return size;
  }

  private boolean readFirst() throws IOException {
    ByteBuffer header = read(0, 16);
    if (header == null) {
      return false;
    }
    byte b0 = header.get(0);
    byte b1 = header.get(1);
    if (b0 == 'I' && b1 == 'I') {
      order = ByteOrder.LITTLE_ENDIAN;
    } else if (b0 == 'M' && b1 == 'M') {
      order = ByteOrder.BIG_ENDIAN;
    } else {
      return false;
    }
    header.order(order);
    int version = Short.toUnsignedInt(header.getShort(2));
    if (version != 42 && version != 43) {
      return false;
    }
    big = version == 43;
    readAt(big ? header.getLong(8) : Integer.toUnsignedLong(header.getInt(4)));
    return true;
  }

  private void readAt(long ifd) throws IOException {
    ByteBuffer count = require(ifd, big ? 8 : 2, "its image directory");
    long n = big ? count.getLong(0) : Short.toUnsignedInt(count.getShort(0));
    int entrySize = big ? 20 : 12;
    table = require(ifd + (big ? 8 : 2), Math.toIntExact(n * entrySize), "its image directory");
    for (int i = 0; i < n; i++) {
      entries.put(Short.toUnsignedInt(table.getShort(i * entrySize)), i * entrySize);
    }
    long after = ifd + (big ? 8 : 2) + n * entrySize;
    ByteBuffer link = read(after, big ? 8 : 4);
    next = link == null ? 0 : big ? link.getLong(0) : Integer.toUnsignedLong(link.getInt(0));
  }

  boolean has(int tag) {
    return entries.containsKey(tag);
  }

  /**
   * The unsigned integers of a tag (BYTE, SHORT, LONG or LONG8), inline or not; empty when the
   * tag is absent or of another type.
   */
  long[] integers(int tag, String what) throws IOException {
    Integer at = entries.get(tag);
    if (at == null) {
      return new long[0];
    }
    int type = Short.toUnsignedInt(table.getShort(at + 2));
    int width = type == 1 ? 1 : type == 3 ? 2 : type == 4 ? 4 : type == 16 ? 8 : 0;
    long count = count(at);
    if (width == 0 || count > Integer.MAX_VALUE / 8) {
      return new long[0];
    }
    ByteBuffer data = data(at, Math.toIntExact(count * width), what);
    long[] out = new long[(int) count];
    for (int i = 0; i < out.length; i++) {
      out[i] =
          switch (width) {
            case 1 -> Byte.toUnsignedInt(data.get(i));
            case 2 -> Short.toUnsignedInt(data.getShort(i * 2));
            case 4 -> Integer.toUnsignedLong(data.getInt(i * 4));
            default -> data.getLong(i * 8);
          };
    }
    return out;
  }

  /** The values of a DOUBLE tag; empty when the tag is absent or of another type. */
  double[] doubles(int tag, String what) throws IOException {
    Integer at = entries.get(tag);
    if (at == null || Short.toUnsignedInt(table.getShort(at + 2)) != 12) {
      return new double[0];
    }
    long count = count(at);
    if (count > 1 << 20) {
      return new double[0]; // not georeferencing anyone writes
    }
    ByteBuffer data = data(at, (int) count * 8, what);
    double[] out = new double[(int) count];
    for (int i = 0; i < out.length; i++) {
      out[i] = data.getDouble(i * 8);
    }
    return out;
  }

  /** The text of an ASCII tag without its final NUL, or null when absent. */
  String text(int tag) throws IOException {
    Integer at = entries.get(tag);
    if (at == null || Short.toUnsignedInt(table.getShort(at + 2)) != 2) {
      return null;
    }
    long count = count(at);
    if (count > 1 << 24) {
      return null; // not metadata anyone writes
    }
    ByteBuffer data = data(at, (int) count, "tag " + tag);
    byte[] bytes = new byte[(int) count];
    data.get(0, bytes);
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] == 0) {
      end--;
    }
    return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
  }

  private long count(int at) {
    return big ? table.getLong(at + 4) : Integer.toUnsignedLong(table.getInt(at + 4));
  }

  private ByteBuffer data(int at, int bytes, String what) throws IOException {
    int field = big ? at + 12 : at + 8;
    if (bytes <= (big ? 8 : 4)) {
      return table.duplicate().order(order).position(field).slice().order(order);
    }
    long offset = big ? table.getLong(field) : Integer.toUnsignedLong(table.getInt(field));
    return require(offset, bytes, what);
  }

  private ByteBuffer require(long offset, int length, String what) throws IOException {
    ByteBuffer b = read(offset, length);
    if (b == null) {
      throw new CutShort(what, offset + length);
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
    return b.flip().order(order);
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
