package org.diffris.cli.testing;

import java.awt.image.Raster;
import java.awt.image.RenderedImage;
import java.nio.file.Path;
import java.util.ArrayDeque;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.gce.geotiff.GeoTiffReader;

/**
 * Independent expectations for a small GeoTIFF mask: it decodes the whole band at once and counts
 * mask pixels and connected regions by flood fill, sharing no code with the streaming vectorizer.
 */
public final class RasterOracle {
  public final int width;
  public final int height;
  private final boolean[] in;

  private RasterOracle(int width, int height, boolean[] in) {
    this.width = width;
    this.height = height;
    this.in = in;
  }

  /** Mask = non-zero and not nodata (threshold NaN), or p >= threshold and not nodata. */
  public static RasterOracle read(Path file, int band, double threshold) throws Exception {
    GeoTiffReader reader = new GeoTiffReader(file.toFile());
    try {
      GridCoverage2D coverage = reader.read(null);
      RenderedImage image = coverage.getRenderedImage();
      Raster raster = image.getData();
      int w = image.getWidth();
      int h = image.getHeight();
      double[] v =
          raster.getSamples(raster.getMinX(), raster.getMinY(), w, h, band - 1, (double[]) null);
      double noData =
          reader.getMetadata().hasNoData() ? reader.getMetadata().getNoData() : Double.NaN;
      boolean[] in = new boolean[w * h];
      for (int i = 0; i < v.length; i++) {
        boolean valid = !Double.isNaN(v[i]) && v[i] != noData && (float) v[i] != (float) noData;
        in[i] = valid && (Double.isNaN(threshold) ? v[i] != 0 : v[i] >= threshold);
      }
      coverage.dispose(true);
      return new RasterOracle(w, h, in);
    } finally {
      reader.dispose();
    }
  }

  public long maskPixels() {
    long n = 0;
    for (boolean b : in) {
      n += b ? 1 : 0;
    }
    return n;
  }

  /** Mask pixels in row {@code row}. */
  public long maskPixelsInRow(int row) {
    long n = 0;
    for (int c = 0; c < width; c++) {
      n += in[row * width + c] ? 1 : 0;
    }
    return n;
  }

  /** Connected regions of mask pixels, 4- or 8-connected. */
  public int regions(boolean eight) {
    boolean[] seen = new boolean[in.length];
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    int count = 0;
    for (int start = 0; start < in.length; start++) {
      if (!in[start] || seen[start]) {
        continue;
      }
      count++;
      seen[start] = true;
      queue.add(start);
      while (!queue.isEmpty()) {
        int p = queue.poll();
        int r = p / width;
        int c = p % width;
        for (int dr = -1; dr <= 1; dr++) {
          for (int dc = -1; dc <= 1; dc++) {
            if ((dr == 0 && dc == 0) || (!eight && dr != 0 && dc != 0)) {
              continue;
            }
            int rr = r + dr;
            int cc = c + dc;
            if (rr < 0 || cc < 0 || rr >= height || cc >= width) {
              continue;
            }
            int q = rr * width + cc;
            if (in[q] && !seen[q]) {
              seen[q] = true;
              queue.add(q);
            }
          }
        }
      }
    }
    return count;
  }
}
