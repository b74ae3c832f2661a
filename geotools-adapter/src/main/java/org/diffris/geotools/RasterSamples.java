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
    SampleType container =
        switch (model.getDataType()) {
          case DataBuffer.TYPE_BYTE -> SampleType.BYTE;
          case DataBuffer.TYPE_USHORT -> new SampleType(SampleType.Kind.UNSIGNED_INTEGER, 16, 0);
          case DataBuffer.TYPE_SHORT -> new SampleType(SampleType.Kind.SIGNED_INTEGER, 16, 0);
          case DataBuffer.TYPE_INT -> new SampleType(SampleType.Kind.SIGNED_INTEGER, 32, 0);
          case DataBuffer.TYPE_FLOAT -> new SampleType(SampleType.Kind.FLOAT, 32, 0);
          default -> new SampleType(SampleType.Kind.FLOAT, 64, 0);
        };
    int significant = model.getSampleSize(0);
    return significant > 0 && significant < container.bits()
        ? new SampleType(container.kind(), container.bits(), significant)
        : container;
  }
}
