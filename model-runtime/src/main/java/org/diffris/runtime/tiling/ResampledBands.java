package org.diffris.runtime.tiling;

import java.io.IOException;
import java.util.Arrays;

/**
 * Maps probability bands from the model grid back onto the raster grid, in order, as soon as the
 * model rows a raster row needs have arrived. Probabilities are bilinear over the valid model
 * pixels around each raster pixel (weights renormalized); a raster pixel is valid when its
 * nearest model pixel is. Keeps only the model rows still needed (about one band), and hands
 * raster rows on in bands of at most {@code maxRows}, so a model band that covers thousands of
 * raster rows (drone imagery for a 1 m model) never becomes one huge array. Not thread-safe; used
 * by one run.
 */
final class ResampledBands implements BandConsumer {
  private final BandConsumer target;
  private final ModelGrid.Axis modelRows;
  private final int modelWidth;
  private final int width;
  private final int height;
  private final int[] col0;
  private final float[] colT;
  private final int maxRows;
  private float[] probs = new float[0];
  private byte[] valid = new byte[0];
  private int bufferStart; // first model row held
  private int bufferEnd; // one past the last model row held
  private int nextRow; // next raster row to emit

  /**
   * @param maxRows the most raster rows handed on at once, 1 or more
   */
  ResampledBands(BandConsumer target, ModelGrid grid, int maxRows) {
    this.target = target;
    this.maxRows = maxRows;
    this.modelRows = grid.rows();
    this.modelWidth = grid.width();
    this.width = grid.columns().rasterLength;
    this.height = grid.rows().rasterLength;
    this.col0 = new int[width];
    this.colT = new float[width];
    axis(grid.columns(), 0, width, col0, colT);
  }

  /**
   * For raster pixels {@code start..start+count-1}: the model pixel left of (above) their centre
   * and the weight of the one right of (below) it, clamped at the model grid's edges.
   */
  static void axis(ModelGrid.Axis axis, int start, int count, int[] index, float[] t) {
    for (int i = 0; i < count; i++) {
      ModelGrid.between(axis.modelCentre(start + i), axis.length, index, t, i);
    }
  }

  @Override
  public void accept(int firstRow, int rows, float[] p, byte[] v) throws IOException {
    if (firstRow != bufferEnd) {
      throw new IllegalStateException(
          "model rows must come in order: got " + firstRow + ", expected " + bufferEnd);
    }
    int held = bufferEnd - bufferStart;
    float[] np = new float[(held + rows) * modelWidth];
    byte[] nv = new byte[np.length];
    System.arraycopy(probs, 0, np, 0, held * modelWidth);
    System.arraycopy(valid, 0, nv, 0, held * modelWidth);
    System.arraycopy(p, 0, np, held * modelWidth, rows * modelWidth);
    System.arraycopy(v, 0, nv, held * modelWidth, rows * modelWidth);
    probs = np;
    valid = nv;
    bufferEnd += rows;
    emitReadyRows();
  }

  private void emitReadyRows() throws IOException {
    while (emitSomeReadyRows()) {
      // until no raster row is ready
    }
  }

  /** Hands on up to {@code maxRows} ready raster rows; false when none was ready. */
  private boolean emitSomeReadyRows() throws IOException {
    int end = nextRow;
    int[] row0 = new int[1];
    float[] rowT = new float[1];
    while (end < height && end - nextRow < maxRows) {
      axis(modelRows, end, 1, row0, rowT);
      int needed = rowT[0] > 0 ? row0[0] + 1 : row0[0];
      int nearest = rowT[0] > 0.5f ? row0[0] + 1 : row0[0];
      if (Math.max(needed, nearest) >= bufferEnd) {
        break;
      }
      end++;
    }
    if (end == nextRow) {
      return false;
    }
    int rows = end - nextRow;
    float[] outP = new float[rows * width];
    byte[] outV = new byte[rows * width];
    for (int r = 0; r < rows; r++) {
      axis(modelRows, nextRow + r, 1, row0, rowT);
      int r0 = row0[0] - bufferStart;
      int r1 = rowT[0] > 0 ? r0 + 1 : r0;
      float tr = rowT[0];
      int nearRow = tr > 0.5f ? r1 : r0;
      for (int c = 0; c < width; c++) {
        int c0 = col0[c];
        int c1 = colT[c] > 0 ? c0 + 1 : c0;
        float tc = colT[c];
        int nearCol = tc > 0.5f ? c1 : c0;
        if (valid[nearRow * modelWidth + nearCol] == 0) {
          continue;
        }
        double sum = 0;
        double weights = 0;
        int[] rs = {r0, r1};
        int[] cs = {c0, c1};
        double[] wr = {1 - tr, tr};
        double[] wc = {1 - tc, tc};
        for (int a = 0; a < 2; a++) {
          for (int b = 0; b < 2; b++) {
            double w = wr[a] * wc[b];
            int i = rs[a] * modelWidth + cs[b];
            if (w > 0 && valid[i] != 0) {
              sum += w * probs[i];
              weights += w;
            }
          }
        }
        outP[r * width + c] = (float) (sum / weights);
        outV[r * width + c] = 1;
      }
    }
    target.accept(nextRow, rows, outP, outV);
    nextRow = end;
    // Drop model rows no later raster row needs.
    int keepFrom = bufferEnd;
    if (nextRow < height) {
      axis(modelRows, nextRow, 1, row0, rowT);
      keepFrom = Math.min(row0[0], bufferEnd); // its rows may not have arrived yet
    }
    int drop = keepFrom - bufferStart;
    if (drop > 0) {
      int held = bufferEnd - keepFrom;
      probs = Arrays.copyOfRange(probs, drop * modelWidth, (drop + held) * modelWidth);
      valid = Arrays.copyOfRange(valid, drop * modelWidth, (drop + held) * modelWidth);
      bufferStart = keepFrom;
    }
    return true;
  }

  /** Whether every raster row went out. */
  boolean complete() {
    return nextRow == height;
  }
}
