package org.diffris.runtime.tiling;

import java.util.ArrayList;
import java.util.List;

/** A consumer that keeps every band and checks they come contiguous and in order. */
final class CollectedBands implements BandConsumer {
  final int width;
  final int height;
  final float[] probabilities;
  final byte[] valid;
  final List<int[]> bands = new ArrayList<>();
  private int nextRow;

  CollectedBands(int width, int height) {
    this.width = width;
    this.height = height;
    this.probabilities = new float[width * height];
    this.valid = new byte[width * height];
  }

  @Override
  public void accept(int firstRow, int h, float[] p, byte[] v) {
    if (firstRow != nextRow) {
      throw new AssertionError("band starts at row " + firstRow + ", expected " + nextRow);
    }
    if (h < 1 || p.length != width * h || v.length != width * h) {
      throw new AssertionError("band of " + h + " rows with " + p.length + " values");
    }
    System.arraycopy(p, 0, probabilities, firstRow * width, p.length);
    System.arraycopy(v, 0, valid, firstRow * width, v.length);
    bands.add(new int[] {firstRow, h});
    nextRow = firstRow + h;
  }

  /** Whether the bands covered every row exactly once. */
  boolean complete() {
    return nextRow == height;
  }

  float p(int col, int row) {
    return probabilities[row * width + col];
  }
}
