package org.diffris.runtime;

import org.diffris.runtime.tiling.RasterSource;

/** A three-band in-memory raster for the ONNX tests, values {@code f(band, col, row)}. */
final class RasterArray implements RasterSource {
  private final int width;
  private final int height;
  private final float[][] bands = new float[3][];

  interface Pixel {
    float value(int band, int col, int row);
  }

  RasterArray(int width, int height, Pixel f) {
    this.width = width;
    this.height = height;
    for (int b = 0; b < 3; b++) {
      bands[b] = new float[width * height];
      for (int r = 0; r < height; r++) {
        for (int c = 0; c < width; c++) {
          bands[b][r * width + c] = f.value(b, c, r);
        }
      }
    }
  }

  float value(int band, int col, int row) {
    return bands[band][row * width + col];
  }

  @Override
  public int width() {
    return width;
  }

  @Override
  public int height() {
    return height;
  }

  @Override
  public int bandCount() {
    return 3;
  }

  @Override
  public void read(int x, int y, int w, int h, int[] sel, float[] dest) {
    for (int i = 0; i < sel.length; i++) {
      for (int r = 0; r < h; r++) {
        System.arraycopy(bands[sel[i]], (y + r) * width + x, dest, (i * h + r) * w, w);
      }
    }
  }
}
