package org.diffris.runtime.tiling;

/**
 * What a tiled run did, for the host to report.
 *
 * @param tiles tiles in the grid
 * @param tilesSkipped tiles with no valid pixel, never sent to the model
 * @param batches model calls
 * @param modelNanos time spent inside the inference engine ({@code model_ms} in reports)
 * @param totalNanos wall time of the whole run
 * @param bands row bands the model grid was streamed in
 * @param resampleFactor model pixels per raster pixel along the raster's columns (1 = no
 *     resampling); along the rows it may differ (pixels not square on the ground), as {@code
 *     modelHeight} shows
 * @param modelWidth width of the grid the model saw, pixels
 * @param modelHeight height of the grid the model saw, pixels
 * @param provider where the model ran ({@link TileModel#provider()}), for example {@code "CPU"}
 */
public record InferenceSummary(
    int tiles,
    int tilesSkipped,
    int batches,
    long modelNanos,
    long totalNanos,
    int bands,
    double resampleFactor,
    int modelWidth,
    int modelHeight,
    String provider) {

  public double modelMillis() {
    return modelNanos / 1e6;
  }

  public double totalMillis() {
    return totalNanos / 1e6;
  }
}
