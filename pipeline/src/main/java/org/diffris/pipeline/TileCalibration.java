package org.diffris.pipeline;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.diffris.runtime.tiling.RasterSource;
import org.diffris.vectorizer.AreaModel;
import org.diffris.vectorizer.PixelToWorld;

/**
 * Measures what one tile costs a model here: runs the whole pipeline (tiler, model, blending,
 * vectorizer) over a blank mid-grey raster with the job's pixel size (so it is resampled as the
 * job's raster is), in tiles of the job's size, overlap and batch: twice to warm the model up
 * (its first calls allocate), then three timed runs of about {@value #TARGET_SECONDS} s each
 * (between two batches and {@value #MAX_TILES} tiles), whose median is the figure. The figure leaves out what a blank raster cannot cost (decoding a file, many
 * polygons), so real runs replace it ({@link TileCostCache}).
 */
final class TileCalibration {
  static final String QUERY = "white storage tanks";
  private static final double TARGET_SECONDS = 0.3;
  private static final int MAX_TILES = 64;
  private static final int TIMED_RUNS = 3;

  private TileCalibration() {}

  /** The cost of the estimate's tiles, on a blank raster resampled as the job's is. */
  static TileCost measure(Segmenter segmenter, RunEstimate job) throws IOException {
    return measure(
        segmenter,
        job.tileSize(),
        job.overlap(),
        job.batchSize(),
        job.modelWidth() / (double) job.rasterWidth(),
        job.modelHeight() / (double) job.rasterHeight());
  }

  /**
   * @param columnFactor model pixels per raster pixel along the columns, as the job's raster has
   *     them (1: no resampling)
   * @param rowFactor the same along the rows
   */
  static TileCost measure(
      Segmenter segmenter, int tile, int overlap, int batch, double columnFactor, double rowFactor)
      throws IOException {
    Blanks blanks = new Blanks(segmenter, tile, overlap, batch, columnFactor, rowFactor);
    blanks.secondsPerTile(batch);
    double warm = blanks.secondsPerTile(2 * batch);
    long wanted = Math.round(TARGET_SECONDS / warm);
    int tiles = (int) Math.max(2L * batch, Math.min(MAX_TILES, wanted));
    tiles = (tiles + batch - 1) / batch * batch;
    double[] timed = new double[TIMED_RUNS];
    for (int i = 0; i < TIMED_RUNS; i++) {
      timed[i] = blanks.secondsPerTile(tiles);
    }
    Arrays.sort(timed);
    return new TileCost(
        timed[TIMED_RUNS / 2],
        0,
        "calibrated now: median of " + TIMED_RUNS + " runs of " + tiles + " blank tiles");
  }

  /** Runs over blank rasters of the job's tile, overlap, batch and resampling. */
  private record Blanks(
      Segmenter segmenter,
      int tile,
      int overlap,
      int batch,
      double columnFactor,
      double rowFactor) {

    /** Seconds per tile of one run over about {@code tiles} tiles. */
    double secondsPerTile(int tiles) throws IOException {
      int columns = Math.min(tiles, Math.max(8, batch)); // whole batches in a tile row
      int rows = (tiles + columns - 1) / columns;
      int step = tile - overlap;
      double gsd =
          segmenter.description().image().hasGsd()
              ? segmenter.description().image().gsdMetres()
              : 1;
      // Raster pixels of the job's size on the ground, so the model resamples them as it will
      // the job's (a model without a GSD runs every raster as it is).
      double column = segmenter.description().image().hasGsd() ? columnFactor : 1;
      double row = segmenter.description().image().hasGsd() ? rowFactor : 1;
      RasterInput blank =
          new RasterInput(
              new Blank(
                  (int) Math.ceil(columns * step / column),
                  (int) Math.ceil(rows * step / row),
                  segmenter.description().image().channels()),
              new PixelToWorld(0, gsd / column, 0, 0, 0, -gsd / row),
              AreaModel.planar(1),
              SampleType.BYTE,
              List.of(),
              0);
      SegmentOptions options =
          SegmentOptions.builder(QUERY).tileSize(tile).overlap(overlap).batchSize(batch).build();
      SegmentationSummary summary =
          segmenter.plan(blank, options).run(region -> {}, null, (done, total) -> {}, () -> false);
      int run = summary.inference().tiles() - summary.inference().tilesSkipped();
      return summary.inference().totalNanos() / 1e9 / Math.max(1, run);
    }
  }

  /** Mid-grey in every band. */
  private record Blank(int width, int height, int bandCount) implements RasterSource {
    @Override
    public void read(int x, int y, int w, int h, int[] bands, float[] dest) {
      Arrays.fill(dest, 0, bands.length * w * h, 128f);
    }
  }
}
