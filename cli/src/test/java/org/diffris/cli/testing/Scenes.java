package org.diffris.cli.testing;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

/**
 * RGB GeoTIFF fixtures for segment tests (EPSG:32633, 1 m pixels, origin 500000 E 5300000 N):
 * dark grey ground (20, 20, 20) with red (230, 20, 20) rectangles, which the analytic test bundle
 * answers with probability about 0.8 inside and 0.04 outside. No channel is ever 0: GeoTools'
 * writer tags these files with nodata 0.
 */
public final class Scenes {
  public static final Color GROUND = new Color(20, 20, 20);
  public static final Color RED = new Color(230, 20, 20);

  private Scenes() {}

  /** The analytic bundle's probability for an RGB pixel and the first query token's id. */
  public static double probability(Color c, int firstTokenId) {
    double x0 = (c.getRed() / 255.0 - 0.485) / 0.229;
    double x1 = (c.getGreen() / 255.0 - 0.456) / 0.224;
    double x2 = (c.getBlue() / 255.0 - 0.406) / 0.225;
    double logit = x0 + 0.5 * x1 - 0.25 * x2 - 0.001 * firstTokenId;
    return 1 / (1 + Math.exp(-logit));
  }

  /**
   * 200 x 150 px: a red 40 x 30 rectangle at column 10, row 20 with a 10 x 10 ground hole at
   * (25, 30); a red 60 x 50 rectangle at column 120, row 80.
   */
  public static Path twoRedRectangles(Path file) throws Exception {
    BufferedImage image = new BufferedImage(200, 150, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = image.createGraphics();
    g.setColor(GROUND);
    g.fillRect(0, 0, 200, 150);
    g.setColor(RED);
    g.fillRect(10, 20, 40, 30);
    g.fillRect(120, 80, 60, 50);
    g.setColor(GROUND);
    g.fillRect(25, 30, 10, 10);
    g.dispose();
    return TestRasters.write(file, image);
  }

  /**
   * The same picture as {@link #twoRedRectangles} as 16-bit samples: ground (1000, 1000, 1000),
   * rectangles (50000, 1000, 1000).
   */
  public static Path twoRedRectangles16(Path file) throws Exception {
    java.awt.image.WritableRaster raster =
        java.awt.image.Raster.createInterleavedRaster(
            java.awt.image.DataBuffer.TYPE_USHORT, 200, 150, 3, null);
    for (int r = 0; r < 150; r++) {
      for (int c = 0; c < 200; c++) {
        boolean first =
            c >= 10 && c < 50 && r >= 20 && r < 50 && !(c >= 25 && c < 35 && r >= 30 && r < 40);
        boolean second = c >= 120 && c < 180 && r >= 80 && r < 130;
        raster.setPixel(c, r, new int[] {first || second ? 50000 : 1000, 1000, 1000});
      }
    }
    java.awt.image.ColorModel colours =
        new java.awt.image.ComponentColorModel(
            java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB),
            false,
            false,
            java.awt.Transparency.OPAQUE,
            java.awt.image.DataBuffer.TYPE_USHORT);
    return TestRasters.write(file, new BufferedImage(colours, raster, false, null));
  }

  /** Red pixels of {@link #twoRedRectangles}: 40 x 30 - 10 x 10 + 60 x 50. */
  public static final int RED_PIXELS = 40 * 30 - 100 + 60 * 50;
}
