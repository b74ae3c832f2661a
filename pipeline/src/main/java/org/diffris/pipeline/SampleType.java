package org.diffris.pipeline;

import java.util.Locale;

/**
 * How a raster stores its samples, as far as value scaling needs it: integer or floating point,
 * the container's bits, and the significant bits when the file declares fewer (TIFF BitsPerSample
 * of 11 or 12, GDAL's {@code NBITS}).
 *
 * @param kind integer (unsigned or signed) or floating point
 * @param bits bits per sample in the container: 8, 16, 32 or 64
 * @param declaredBits significant bits the file declares, or 0 when it declares none
 */
public record SampleType(Kind kind, int bits, int declaredBits) {
  /** Integer or floating point. */
  public enum Kind {
    UNSIGNED_INTEGER,
    SIGNED_INTEGER,
    FLOAT
  }

  public static final SampleType BYTE = new SampleType(Kind.UNSIGNED_INTEGER, 8, 0);

  public SampleType {
    if (kind == null || bits < 1 || bits > 64 || declaredBits < 0 || declaredBits > bits) {
      throw new IllegalArgumentException(
          "sample type needs a kind, 1 to 64 bits and 0 to that many declared bits, got "
              + kind
              + " "
              + bits
              + " / "
              + declaredBits);
    }
  }

  /** Whether the samples are plain 8-bit unsigned bytes, as the model was trained on. */
  public boolean isEightBit() {
    return kind == Kind.UNSIGNED_INTEGER && bits == 8 && (declaredBits == 0 || declaredBits == 8);
  }

  public boolean isInteger() {
    return kind != Kind.FLOAT;
  }

  /** GDAL's name of the type, e.g. {@code UInt16} or {@code Float32 (NBITS=11)}. */
  public String label() {
    String name =
        switch (kind) {
          case UNSIGNED_INTEGER -> bits == 8 ? "Byte" : "UInt" + bits;
          case SIGNED_INTEGER -> "Int" + bits;
          case FLOAT -> "Float" + bits;
        };
    return declaredBits > 0 && declaredBits != bits
        ? String.format(Locale.ROOT, "%s (NBITS=%d)", name, declaredBits)
        : name;
  }
}
