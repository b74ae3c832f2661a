package org.diffris.cli.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.diffris.runtime.tiling.RasterSource;
import org.diffris.vectorizer.PixelToWorld;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The preview of a raster of any shape: one pixel wide, one pixel high, a single pixel, and sizes
 * just past the shrink limit. It reads only inside the raster and shows every preview pixel from
 * the raster pixel at its corner.
 */
class PreviewRendererTest {
  @TempDir Path dir;

  /** A one-band raster whose value at (c, r) is (c * 7 + r * 13) % 256; reads outside fail. */
  static RasterSource raster(int width, int height) {
    return new RasterSource() {
      public int width() {
        return width;
      }

      public int height() {
        return height;
      }

      public int bandCount() {
        return 1;
      }

      public void read(int x, int y, int w, int h, int[] bands, float[] dest) {
        if (x < 0 || y < 0 || w < 1 || h < 1 || x + w > width || y + h > height) {
          throw new IllegalArgumentException(
              "read of "
                  + w
                  + " x "
                  + h
                  + " at "
                  + x
                  + ","
                  + y
                  + " outside "
                  + width
                  + " x "
                  + height);
        }
        for (int i = 0; i < bands.length; i++) {
          for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
              dest[(i * h + r) * w + c] = value(x + c, y + r);
            }
          }
        }
      }
    };
  }

  static int value(int c, int r) {
    return (c * 7 + r * 13) % 256;
  }

  @ParameterizedTest(name = "{0} x {1}")
  @CsvSource({
    "1, 1",
    "1, 200",
    "200, 1",
    "1, 1792",
    "3400, 1",
    "1601, 3",
    "3, 1601",
    "1601, 1601",
    "4801, 2"
  })
  void everyShapeGivesAPictureOfTheWholeRaster(int width, int height) throws Exception {
    PreviewRenderer renderer =
        new PreviewRenderer(width, height, new PixelToWorld(0, 1, 0, 0, 0, -1));
    Path file = dir.resolve("p.png");
    renderer.write(
        file, raster(width, height), new int[] {0}, new double[] {0}, new double[] {255});
    BufferedImage picture = ImageIO.read(file.toFile());
    int factor = renderer.factor();
    assertEquals((width + factor - 1) / factor, picture.getWidth());
    assertEquals((height + factor - 1) / factor, picture.getHeight());
    assertTrue(Math.max(picture.getWidth(), picture.getHeight()) <= PreviewRenderer.MAX_SIDE);
    for (int y = 0; y < picture.getHeight(); y++) {
      for (int x = 0; x < picture.getWidth(); x++) {
        int grey = picture.getRGB(x, y) & 0xff;
        assertEquals(value(x * factor, y * factor), grey, "preview pixel " + x + "," + y);
      }
    }
  }
}
