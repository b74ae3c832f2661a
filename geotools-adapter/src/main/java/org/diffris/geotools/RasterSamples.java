package org.diffris.geotools;

import java.awt.image.DataBuffer;
import java.awt.image.SampleModel;
import org.diffris.pipeline.SampleType;

/** A Java image's sample model as the pipeline's {@link SampleType}: one rule for every host. */
final class RasterSamples {
  private RasterSamples() {}

  /**
   * Integer or floating point and the container's bits from the data type; fewer significant
   * bits when the model says so (a 1-bit mask unpacked into bytes).
   */
  static SampleType of(SampleModel model) {
    SampleType.Kind kind;
    int bits;
    switch (model.getDataType()) {
      case DataBuffer.TYPE_BYTE -> {
        kind = SampleType.Kind.UNSIGNED_INTEGER;
        bits = 8;
      }
      case DataBuffer.TYPE_USHORT -> {
        kind = SampleType.Kind.UNSIGNED_INTEGER;
        bits = 16;
      }
      case DataBuffer.TYPE_SHORT -> {
        kind = SampleType.Kind.SIGNED_INTEGER;
        bits = 16;
      }
      case DataBuffer.TYPE_INT -> {
        kind = SampleType.Kind.SIGNED_INTEGER;
        bits = 32;
      }
      case DataBuffer.TYPE_FLOAT -> {
        kind = SampleType.Kind.FLOAT;
        bits = 32;
      }
      default -> {
        kind = SampleType.Kind.FLOAT;
        bits = 64;
      }
    }
    int significant = model.getSampleSize(0);
    return new SampleType(kind, bits, significant > 0 && significant < bits ? significant : 0);
  }
}
