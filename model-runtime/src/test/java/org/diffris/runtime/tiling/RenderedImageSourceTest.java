package org.diffris.runtime.tiling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Point;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class RenderedImageSourceTest {

  /** A 16-bit, 3-band image with values {@code 1000 * band + 7 * col + row}. */
  static BufferedImage ushortImage(int w, int h) {
    WritableRaster raster =
        Raster.createBandedRaster(DataBuffer.TYPE_USHORT, w, h, 3, new Point(0, 0));
    for (int b = 0; b < 3; b++) {
      for (int r = 0; r < h; r++) {
        for (int c = 0; c < w; c++) {
          raster.setSample(c, r, b, 1000 * b + 7 * c + r);
        }
      }
    }
    ComponentColorModel cm =
        new ComponentColorModel(
            ColorSpace.getInstance(ColorSpace.CS_sRGB),
            false,
            false,
            java.awt.Transparency.OPAQUE,
            DataBuffer.TYPE_USHORT);
    return new BufferedImage(cm, raster, false, null);
  }

  @Test
  void readsSelectedBandsOfARectangleAsFloats() {
    RenderedImageSource source =
        new RenderedImageSource(ushortImage(40, 30), new double[] {0, Double.NaN, 5});
    assertEquals(3, source.bandCount());
    assertEquals(0.0, source.nodata(0).getAsDouble());
    assertTrue(source.nodata(1).isEmpty());
    float[] dest = new float[2 * 4 * 3];
    source.read(10, 20, 4, 3, new int[] {2, 0}, dest);
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 4; c++) {
        assertEquals(2000 + 7 * (10 + c) + 20 + r, dest[r * 4 + c]);
        assertEquals(7 * (10 + c) + 20 + r, dest[12 + r * 4 + c]);
      }
    }
  }

  @Test
  void aSixteenBitImageSegmentsWithWholeRasterStatistics() throws IOException {
    RenderedImageSource source = new RenderedImageSource(ushortImage(90, 70), null);
    int[] bands = {0, 1, 2};
    double[][] lim = RasterStatistics.percentiles(source, bands, 0, 100);
    assertEquals(0, lim[0][0], 1);
    assertEquals(7 * 89 + 69, lim[1][0], 1);
    PixelScaling scaling =
        PixelScaling.stretch(lim[0], lim[1], new double[] {0, 0, 0}, new double[] {1, 1, 1});
    CollectedBands out = new CollectedBands(90, 70);
    TiledSegmenter.of(32, 8, scaling)
        .build()
        .run(source, new TiledSegmenterTest.PointwiseModel(3, px -> 4 * px[0] - 2), out);
    double range = lim[1][0] - lim[0][0];
    for (int r = 0; r < 70; r++) {
      for (int c = 0; c < 90; c++) {
        double x = (7 * c + r - lim[0][0]) / range;
        assertEquals(TiledSegmenterTest.sigmoid(4 * x - 2), out.p(c, r), 1e-5);
      }
    }
  }
}
