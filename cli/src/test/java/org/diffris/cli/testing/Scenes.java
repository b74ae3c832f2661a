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

  /** Red pixels of {@link #twoRedRectangles}: 40 x 30 - 10 x 10 + 60 x 50. */
  public static final int RED_PIXELS = 40 * 30 - 100 + 60 * 50;
}
