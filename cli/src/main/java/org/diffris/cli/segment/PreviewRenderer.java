package org.diffris.cli.segment;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.diffris.runtime.tiling.RasterSource;
import org.diffris.vectorizer.PixelToWorld;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.Polygon;

/**
 * A PNG picture of a segmentation: the raster shrunk by a whole factor to at most
 * {@value #MAX_SIDE} pixels a side (nearest pixel), with each polygon's outline (holes included)
 * drawn over it in yellow. Draws with java.awt in headless mode; reads the raster one strip of
 * about 64 rows at a time, so memory is the picture plus the outlines kept for it.
 */
public final class PreviewRenderer {
  public static final int MAX_SIDE = 1600;
  private static final Color OUTLINE = new Color(255, 230, 0);

  private final PixelToWorld pixelToWorld;
  private final List<Path2D.Double> outlines = new ArrayList<>();
  private final int factor;

  /**
   * @param width raster width, pixels
   * @param height raster height, pixels
   * @param pixelToWorld the raster's transform, to bring polygons back to pixels
   */
  public PreviewRenderer(int width, int height, PixelToWorld pixelToWorld) {
    this.pixelToWorld = pixelToWorld;
    this.factor = Math.max(1, (Math.max(width, height) + MAX_SIDE - 1) / MAX_SIDE);
  }

  /** Raster pixels per preview pixel. */
  public int factor() {
    return factor;
  }

  /** Keeps the outline of a polygon or multipolygon (world coordinates) for drawing. */
  public void add(Geometry geometry) {
    Path2D.Double path = new Path2D.Double(Path2D.WIND_EVEN_ODD);
    for (int i = 0; i < geometry.getNumGeometries(); i++) {
      Polygon polygon = (Polygon) geometry.getGeometryN(i);
      ring(path, polygon.getExteriorRing());
      for (int h = 0; h < polygon.getNumInteriorRing(); h++) {
        ring(path, polygon.getInteriorRingN(h));
      }
    }
    outlines.add(path);
  }

  private void ring(Path2D.Double path, LineString ring) {
    Coordinate[] cs = ring.getCoordinates();
    for (int i = 0; i < cs.length; i++) {
      double[] p = pixelToWorld.toPixel(cs[i].x, cs[i].y);
      if (i == 0) {
        path.moveTo(p[0] / factor, p[1] / factor);
      } else {
        path.lineTo(p[0] / factor, p[1] / factor);
      }
    }
    path.closePath();
  }

  /**
   * Writes the picture.
   *
   * @param image the raster
   * @param bands the bands shown as red, green, blue (one band: grey), from 0
   * @param low per shown band, the value drawn black
   * @param high per shown band, the value drawn at full brightness
   */
  public void write(Path file, RasterSource image, int[] bands, double[] low, double[] high)
      throws IOException {
    // Preview pixel (x, y) shows raster pixel (x * factor, y * factor): every one lies inside the
    // raster, whatever its size (one pixel wide or high included), and the last partial block of
    // rows or columns is shown too.
    int width = image.width();
    int height = image.height();
    int w = (width + factor - 1) / factor;
    int h = (height + factor - 1) / factor;
    BufferedImage picture = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] shown =
        bands.length >= 3
            ? new int[] {bands[0], bands[1], bands[2]}
            : new int[] {bands[0], bands[0], bands[0]};
    int[] index = bands.length >= 3 ? new int[] {0, 1, 2} : new int[] {0, 0, 0};
    int stripRows = Math.max(factor, (64 / factor) * factor); // a multiple of factor
    int[] rgb = new int[w];
    for (int y0 = 0; y0 < height; y0 += stripRows) {
      int rows = Math.min(stripRows, height - y0);
      float[] strip = new float[3 * width * rows];
      image.read(0, y0, width, rows, shown, strip);
      for (int r = 0; r < rows; r += factor) {
        for (int x = 0; x < w; x++) {
          int pixel = 0;
          for (int c = 0; c < 3; c++) {
            double v = strip[(c * rows + r) * width + x * factor];
            double span = high[index[c]] - low[index[c]];
            int level =
                Double.isNaN(v)
                    ? 0
                    : (int)
                        Math.round(
                            255
                                * Math.min(
                                    1, Math.max(0, span > 0 ? (v - low[index[c]]) / span : 0)));
            pixel = (pixel << 8) | level;
          }
          rgb[x] = pixel;
        }
        picture.setRGB(0, (y0 + r) / factor, w, 1, rgb, 0, w);
      }
    }
    Graphics2D g = picture.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(OUTLINE);
      g.setStroke(new BasicStroke(1.5f));
      for (Path2D.Double outline : outlines) {
        g.draw(outline);
      }
    } finally {
      g.dispose();
    }
    if (!ImageIO.write(picture, "png", file.toFile())) {
      throw new IOException("no PNG writer in this Java runtime");
    }
  }
}
