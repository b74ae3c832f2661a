package org.diffris.geotools;

import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferFloat;
import java.awt.image.Raster;
import java.io.IOException;
import org.diffris.pipeline.InvalidInputException;
import org.diffris.vectorizer.MaskBand;

/**
 * One band of a {@link GeoTiffRaster} read as a mask, a band of rows at a time.
 *
 * <p>Guarantees: nodata pixels (the GeoTIFF nodata tag, and NaN in floating-point bands) are never
 * part of the mask: binary bands leave them out, probability bands turn them into NaN. Only the
 * tiles or strips under the requested rows are decoded.
 */
public final class MaskReader {
  private final GeoTiffRaster raster;
  private final int band;
  private final boolean hasNoData;
  private final double noData;

  /**
   * @param bandNumber the band, counted from 1 as GIS tools count bands
   * @throws InvalidInputException when the raster has no such band
   */
  public MaskReader(GeoTiffRaster raster, int bandNumber) {
    int bands = raster.bandCount();
    if (bandNumber < 1 || bandNumber > bands) {
      throw new InvalidInputException(
          "band "
              + bandNumber
              + " requested, raster has "
              + bands
              + (bands == 1 ? " band" : " bands")
              + ": "
              + raster.file());
    }
    this.raster = raster;
    this.band = bandNumber - 1;
    this.hasNoData = raster.noData() != null;
    this.noData = hasNoData ? raster.noData() : Double.NaN;
  }

  public GeoTiffRaster raster() {
    return raster;
  }

  /**
   * {@code threshold} rounded to the band's sample precision, so that a float32 pixel holding the
   * nearest float to 0.9 counts as {@code >= 0.9}, as GDAL and numpy compare; every other type is
   * compared with the threshold as given.
   */
  public double thresholdAtSamplePrecision(double threshold) {
    return raster.dataType() == DataBuffer.TYPE_FLOAT ? (double) (float) threshold : threshold;
  }

  /** The nodata value at the band's sample precision (float32 bands hold it rounded). */
  private double noDataAtSamplePrecision() {
    return raster.dataType() == DataBuffer.TYPE_FLOAT ? (double) (float) noData : noData;
  }

  /**
   * Rows {@code [firstRow, firstRow + rows)} as a binary mask: non-zero, non-nodata pixels, each
   * compared in its own precision (a Float64 1e-46 is non-zero).
   */
  public MaskBand readBinary(int firstRow, int rows) throws IOException {
    int w = raster.width();
    byte[] mask = new byte[w * rows];
    Raster data = raster.readRows(firstRow, rows);
    ComponentSampleModel layout = directLayout(data, DataBuffer.TYPE_BYTE);
    if (layout != null) {
      // Fast path for byte masks: read the data buffer, no per-sample virtual calls.
      byte[] bytes = ((DataBufferByte) data.getDataBuffer()).getData(layout.getBankIndices()[band]);
      int noDataByte = hasNoData && noData == Math.rint(noData) ? (int) noData : -1;
      for (int r = 0; r < rows; r++) {
        int src = firstElement(data, layout, r);
        int step = layout.getPixelStride();
        for (int c = 0, dst = r * w; c < w; c++, src += step) {
          int v = bytes[src] & 0xff;
          mask[dst + c] = (byte) (v != 0 && v != noDataByte ? 1 : 0);
        }
      }
    } else {
      // Doubles hold every sample type exactly (float, double and up to 32-bit integers).
      double[] samples = exactSamples(data, rows);
      double missing = noDataAtSamplePrecision();
      for (int i = 0; i < mask.length; i++) {
        double v = samples[i];
        mask[i] = (byte) (v != 0 && !Double.isNaN(v) && !(hasNoData && v == missing) ? 1 : 0);
      }
    }
    return MaskBand.binary(firstRow, w, rows, mask, null);
  }

  /**
   * Rows {@code [firstRow, firstRow + rows)} as probabilities; nodata pixels become NaN. A pixel
   * is in when its value, in the band's own precision, is at least {@code threshold} at that
   * precision ({@link #thresholdAtSamplePrecision}): a Float64 0.49999999999 is below 0.5, though
   * it rounds to 0.5 as a float. The probabilities handed on are floats, for the scores.
   */
  public MaskBand readProbabilities(int firstRow, int rows, double threshold) throws IOException {
    int w = raster.width();
    Raster data = raster.readRows(firstRow, rows);
    ComponentSampleModel layout = directLayout(data, DataBuffer.TYPE_FLOAT);
    if (layout != null) {
      // Float32 (the probability files diffris writes): the vectorizer's float comparison is the
      // band's own.
      float[] floats =
          ((DataBufferFloat) data.getDataBuffer()).getData(layout.getBankIndices()[band]);
      float[] p = new float[w * rows];
      for (int r = 0; r < rows; r++) {
        int src = firstElement(data, layout, r);
        int step = layout.getPixelStride();
        for (int c = 0, dst = r * w; c < w; c++, src += step) {
          p[dst + c] = floats[src];
        }
      }
      if (hasNoData) {
        for (int i = 0; i < p.length; i++) {
          if (isNoData(p[i])) {
            p[i] = Float.NaN; // NaN is nodata to the vectorizer
          }
        }
      }
      return MaskBand.probabilities(firstRow, w, rows, p, null);
    }
    double[] samples = exactSamples(data, rows);
    double missing = noDataAtSamplePrecision();
    double t = thresholdAtSamplePrecision(threshold);
    float[] p = new float[w * rows];
    // The decision in the band's precision; a value at or above t stays at or above (float) t as
    // a float (rounding keeps order), so the vectorizer's float test agrees wherever this says in.
    byte[] in = new byte[w * rows];
    for (int i = 0; i < p.length; i++) {
      double v = samples[i];
      boolean nodata = Double.isNaN(v) || (hasNoData && v == missing);
      p[i] = nodata ? Float.NaN : (float) v;
      in[i] = (byte) (!nodata && v >= t ? 1 : 0);
    }
    return MaskBand.probabilities(firstRow, w, rows, p, in);
  }

  /** The band's samples of the rows, exactly, row-major. */
  private double[] exactSamples(Raster data, int rows) {
    return data.getSamples(
        data.getMinX(), data.getMinY(), raster.width(), rows, band, (double[]) null);
  }

  private boolean isNoData(float v) {
    return Float.isNaN(v) || (hasNoData && v == (float) noData);
  }

  /** The layout when the band's samples can be read straight from the buffer, else null. */
  private static ComponentSampleModel directLayout(Raster data, int dataType) {
    if (data.getSampleModel() instanceof ComponentSampleModel layout
        && layout.getDataType() == dataType
        && data.getDataBuffer().getDataType() == dataType) {
      return layout;
    }
    return null;
  }

  /** Index in the data bank of the band's sample at the first column of row {@code r}. */
  private int firstElement(Raster data, ComponentSampleModel layout, int r) {
    int x = data.getMinX() - data.getSampleModelTranslateX();
    int y = data.getMinY() + r - data.getSampleModelTranslateY();
    int bank = layout.getBankIndices()[band];
    return data.getDataBuffer().getOffsets()[bank]
        + y * layout.getScanlineStride()
        + x * layout.getPixelStride()
        + layout.getBandOffsets()[band];
  }
}
