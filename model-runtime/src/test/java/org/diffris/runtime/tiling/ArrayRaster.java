package org.diffris.runtime.tiling;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * An in-memory raster, band-sequential, that records every read: how often each row was read,
 * the largest rectangle, and the order of reads (for streaming checks).
 */
public final class ArrayRaster implements RasterSource {
  private final int width;
  private final int height;
  private final float[][] bands;
  private final Double nodata;
  final int[] rowReads;
  final List<int[]> reads = new ArrayList<>();
  volatile int largestRead;
  volatile int rowsReadSoFar;

  public ArrayRaster(int width, int height, float[][] bands, Double nodata) {
    this.width = width;
    this.height = height;
    this.bands = bands;
    this.nodata = nodata;
    this.rowReads = new int[height];
  }

  /** A raster with values {@code f(band, col, row)}. */
  public static ArrayRaster of(int width, int height, int bandCount, Double nodata, Pixel f) {
    float[][] bands = new float[bandCount][width * height];
    for (int b = 0; b < bandCount; b++) {
      for (int r = 0; r < height; r++) {
        for (int c = 0; c < width; c++) {
          bands[b][r * width + c] = f.value(b, c, r);
        }
      }
    }
    return new ArrayRaster(width, height, bands, nodata);
  }

  /** Pixel values by band, column and row. */
  @FunctionalInterface
  public interface Pixel {
    float value(int band, int col, int row);
  }

  public float value(int band, int col, int row) {
    return bands[band][row * width + col];
  }

  /** Rows {@code y..y+h} of this raster as a raster of their own (same values). */
  public ArrayRaster rows(int y, int h) {
    return of(width, h, bands.length, nodata, (b, c, r) -> value(b, c, y + r));
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
    return bands.length;
  }

  @Override
  public OptionalDouble nodata(int band) {
    return nodata == null ? OptionalDouble.empty() : OptionalDouble.of(nodata);
  }

  @Override
  public synchronized void read(int x, int y, int w, int h, int[] sel, float[] dest) {
    if (x < 0 || y < 0 || x + w > width || y + h > height) {
      throw new IllegalArgumentException(
          "read outside the raster: " + x + "," + y + " " + w + "x" + h);
    }
    reads.add(new int[] {x, y, w, h});
    largestRead = Math.max(largestRead, w * h);
    for (int r = y; r < y + h; r++) {
      rowReads[r]++;
    }
    rowsReadSoFar = Math.max(rowsReadSoFar, y + h);
    for (int i = 0; i < sel.length; i++) {
      for (int r = 0; r < h; r++) {
        System.arraycopy(bands[sel[i]], (y + r) * width + x, dest, (i * h + r) * w, w);
      }
    }
  }
}
