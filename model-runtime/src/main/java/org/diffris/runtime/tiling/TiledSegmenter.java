package org.diffris.runtime.tiling;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.diffris.runtime.ModelDescription;

/**
 * Segments a raster of any size tile by tile and streams the blended probabilities out in
 * full-width row bands.
 *
 * <p>How: the model sees the raster on a {@link ModelGrid} (resampled to the model's GSD when it
 * differs) and runs a {@link TileGrid} of square tiles with overlap, both fixed to the raster's
 * {@link GridAnchor} rather than to its corner, so a crop or a window of a raster feeds the model
 * the same pixels in the same tiles wherever they lie more than one tile inside it, and gets the
 * same probabilities there, bit for bit. The tiles of one tile row are read as
 * one full-width strip (on a read-ahead thread, so reading and scaling the next strip overlaps
 * with inference on this one), scaled with one {@link PixelScaling} for the whole raster, sent to
 * the model in batches, and their sigmoid probabilities blended with {@link TileWindow} weights in
 * a {@link ProbabilityBlender}. When a tile row is done, the rows above the next tile row are
 * final and go to the {@link BandConsumer}: the bands are contiguous, in order, and cover the
 * raster exactly once.
 *
 * <p>Guarantees: memory is bounded by two strips ({@code bands x tile height x model grid width}
 * floats), the raster rows one strip is read from at a time ({@link
 * ResampledRaster#maxRowsPerRead}, full width, whatever the resampling factor), the blend window
 * ({@code tile height x width}) and one batch, whatever the raster height; a pixel is nodata when any selected band is NaN or every selected band holds its nodata
 * value (a lone band at its nodata value is fed as the mean); nodata pixels are
 * filled with the model's mean before inference and come out as probability 0 with validity 0;
 * tiles without any valid pixel are never sent to the model. Cancellation is checked before every
 * tile and before every model call. The part of a tile that hangs over the raster's edge is
 * padded with the model's mean (0 after normalization); nothing outside the raster is ever
 * blended.
 *
 * <p>Immutable and thread-safe: one instance may run several rasters at once, each run has its own
 * state and its own reader thread.
 */
public final class TiledSegmenter {
  private final int tileSize;
  private final int overlap;
  private final int batchSize;
  private final int[] bands;
  private final PixelScaling scaling;
  private final double modelGsd;
  private final double rasterColumnGsd;
  private final double rasterRowGsd;
  private final GridAnchor anchor;

  private TiledSegmenter(Builder b) {
    this.tileSize = b.tileSize;
    this.overlap = b.overlap;
    this.batchSize = b.batchSize;
    this.bands = b.bands.clone();
    this.scaling = b.scaling;
    this.modelGsd = b.modelGsd;
    this.rasterColumnGsd = b.rasterColumnGsd;
    this.rasterRowGsd = b.rasterRowGsd;
    this.anchor = b.anchor;
  }

  /**
   * Settings from the bundle: tile size and overlap from {@code tiling} (default: the model's
   * input size, a quarter of it), bands 0..channels-1, the bundle's pixel scaling, batches of 4.
   */
  public static Builder forModel(ModelDescription model) {
    Builder b = new Builder();
    b.tileSize = model.tiling().size();
    b.overlap = model.tiling().overlap();
    b.sizeMultiple = model.tiling().sizeMultiple();
    b.bands = new int[model.image().channels()];
    for (int i = 0; i < b.bands.length; i++) {
      b.bands[i] = i;
    }
    b.scaling = PixelScaling.fromBundle(model);
    b.modelGsd = model.image().gsdMetres();
    return b;
  }

  /** Settings for a model described only by its tile size and channel count (tests, benchmarks). */
  public static Builder of(int tileSize, int overlap, PixelScaling scaling) {
    Builder b = new Builder();
    b.tileSize = tileSize;
    b.overlap = overlap;
    b.scaling = scaling;
    b.bands = new int[scaling.channels()];
    for (int i = 0; i < b.bands.length; i++) {
      b.bands[i] = i;
    }
    return b;
  }

  /** Settings; {@link #build} checks them. */
  public static final class Builder {
    private int tileSize;
    private int overlap;
    private int batchSize = 4;
    private int[] bands;
    private PixelScaling scaling;
    private double modelGsd;
    private double rasterColumnGsd;
    private double rasterRowGsd;
    private int sizeMultiple = 1;
    private GridAnchor anchor = GridAnchor.CORNER;

    private Builder() {}

    /**
     * Where the raster sits in the world, in its own pixels (default: {@link GridAnchor#CORNER},
     * tiles start at the raster's first pixel). Rasters that share a pixel grid and are given
     * their anchors get the same model pixels and tiles wherever they overlap.
     */
    public Builder anchor(GridAnchor anchor) {
      this.anchor = anchor;
      return this;
    }

    /** The model's pixel size in metres (set by {@link #forModel} from {@code image.gsd_m}). */
    public Builder modelGsd(double metres) {
      this.modelGsd = metres;
      return this;
    }

    /**
     * The raster's pixel size in metres, square pixels: {@link #rasterGsd(double, double)}.
     */
    public Builder rasterGsd(double metres) {
      return rasterGsd(metres, metres);
    }

    /**
     * The raster's pixel size in metres along its columns (a pixel's width on the ground) and its
     * rows (its height): when they differ from the model's, the model sees the raster resampled
     * to its GSD on both axes ({@link ResampledRaster}) and the probabilities come back on the
     * raster's grid ({@link GsdResampling} gives the accepted range). 0, the default, means "use
     * it as it is".
     */
    public Builder rasterGsd(double columnMetres, double rowMetres) {
      this.rasterColumnGsd = columnMetres;
      this.rasterRowGsd = rowMetres;
      return this;
    }

    public Builder tileSize(int size) {
      this.tileSize = size;
      return this;
    }

    public Builder overlap(int pixels) {
      this.overlap = pixels;
      return this;
    }

    /** Tiles per model call, 1 or more. */
    public Builder batchSize(int tiles) {
      this.batchSize = tiles;
      return this;
    }

    /** The raster bands (from 0) that feed the model's channels, in order. */
    public Builder bands(int... bands) {
      this.bands = bands.clone();
      return this;
    }

    public Builder scaling(PixelScaling scaling) {
      this.scaling = scaling;
      return this;
    }

    /**
     * The tiles a run with these settings would send over a raster of this size, without
     * building the tiler or reading anything: the grid of {@link #build()}'s run, on the model's
     * grid when the raster is resampled. Needs no bands or scaling.
     *
     * @throws IllegalArgumentException when the tile size or overlap is not usable
     */
    public TileGrid tileGrid(int rasterWidth, int rasterHeight) {
      checkTiles();
      GsdResampling resampling = resampling(rasterColumnGsd, rasterRowGsd, modelGsd);
      ModelGrid grid = modelGrid(rasterWidth, rasterHeight, resampling, anchor);
      return new TileGrid(
          grid.width(), grid.height(), tileSize, overlap, grid.columns().start, grid.rows().start);
    }

    public TiledSegmenter build() {
      checkTiles();
      if (bands.length != scaling.channels()) {
        throw new IllegalArgumentException(
            bands.length + " bands selected, the model takes " + scaling.channels());
      }
      resampling(rasterColumnGsd, rasterRowGsd, modelGsd);
      return new TiledSegmenter(this);
    }

    private void checkTiles() {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch size must be 1 or more tiles, got " + batchSize);
      }
      if (tileSize < 1 || overlap < 0 || overlap >= tileSize) {
        throw new IllegalArgumentException(
            "tile size must be 1 or more and overlap 0 to size - 1, got size "
                + tileSize
                + ", overlap "
                + overlap);
      }
      if (tileSize % sizeMultiple != 0) {
        throw new IllegalArgumentException(
            "tile size "
                + tileSize
                + " is not a multiple of "
                + sizeMultiple
                + ", which this model requires (image.size_multiple)");
      }
    }
  }

  /** The model's pixels over a raster: the raster's own without resampling. */
  private static ModelGrid modelGrid(
      int width, int height, GsdResampling resampling, GridAnchor anchor) {
    return resampling == null
        ? ModelGrid.over(width, height, 1, 1, anchor)
        : ModelGrid.over(
            width, height, resampling.gridColumnFactor(), resampling.gridRowFactor(), anchor);
  }

  /** Null without a raster GSD (no resampling asked for). */
  private static GsdResampling resampling(double columnGsd, double rowGsd, double modelGsd) {
    return columnGsd == 0 && rowGsd == 0
        ? null
        : GsdResampling.forModel(columnGsd, rowGsd, modelGsd);
  }

  /**
   * The most raster rows a resampled run reads at once, full width, for tiles of {@code tile}
   * model pixels and {@code rowFactor} model pixels per raster row: a tile row's raster rows and
   * the resampling's neighbours ({@code tile / rowFactor + 2}), but below a factor of 0.5 no
   * more than {@code 2 tile + 2} or the rows of one model pixel, whichever is more, whatever the
   * factor (a 2 cm raster for a 1 m model is read a few model rows at a time).
   */
  public static long rasterRowsPerRead(long tile, double rowFactor) {
    return Math.min(
        (long) Math.ceil(tile / rowFactor) + 2, ResampledRaster.maxRowsPerRead(tile, rowFactor));
  }

  /**
   * The most raster rows a resampled run hands on at once, mapped back from the model's grid:
   * a tile row's ({@code tile / rowFactor + 2}), at most {@code 2 tile + 2}.
   */
  public static long rasterRowsPerBand(long tile, double rowFactor) {
    return Math.min((long) Math.ceil(tile / rowFactor) + 2, 2 * tile + 2);
  }

  public int tileSize() {
    return tileSize;
  }

  public int overlap() {
    return overlap;
  }

  /** {@link #run(RasterSource, TileModel, BandConsumer, ProgressListener, BooleanSupplier)} without progress or cancellation. */
  public InferenceSummary run(RasterSource source, TileModel model, BandConsumer consumer)
      throws IOException {
    return run(source, model, consumer, (done, total) -> {}, () -> false);
  }

  /**
   * Runs the model over the raster and hands every final row band to {@code consumer}.
   *
   * @param progress told after every batch of tiles
   * @param cancelled asked before every tile and every model call; when it says true the run
   *     ends with {@link InferenceCancelledException}
   * @throws IOException from the raster or the consumer
   * @throws InferenceCancelledException when the cancellation check said so
   */
  public InferenceSummary run(
      RasterSource source,
      TileModel model,
      BandConsumer consumer,
      ProgressListener progress,
      BooleanSupplier cancelled)
      throws IOException {
    checkBands(source, model);
    GsdResampling resampling = resampling(rasterColumnGsd, rasterRowGsd, modelGsd);
    double reported = resampling == null ? 1 : resampling.columnFactor();
    ModelGrid grid = modelGrid(source.width(), source.height(), resampling, anchor);
    long startX = grid.columns().start;
    long startY = grid.rows().start;
    if (grid.isIdentity()) {
      return new Run(source, model, consumer, reported, startX, startY, progress, cancelled)
          .execute();
    }
    ResampledRaster seen = new ResampledRaster(source, grid);
    ResampledBands back =
        new ResampledBands(consumer, grid, (int) rasterRowsPerBand(tileSize, grid.rows().factor));
    InferenceSummary summary =
        new Run(seen, model, back, reported, startX, startY, progress, cancelled).execute();
    if (!back.complete()) {
      throw new IllegalStateException("resampled bands did not cover the raster");
    }
    return summary;
  }

  private void checkBands(RasterSource source, TileModel model) {
    if (model.channels() != bands.length) {
      throw new IllegalArgumentException(
          bands.length + " bands selected, the model takes " + model.channels());
    }
    for (int b : bands) {
      if (b < 0 || b >= source.bandCount()) {
        throw new IllegalArgumentException(
            "band "
                + (b + 1)
                + " requested, the raster has "
                + source.bandCount()
                + " band"
                + (source.bandCount() == 1 ? "" : "s")
                + " (bands are numbered from 1 here, from 0 in the API)");
      }
    }
  }

  /**
   * The raster rows of one tile row, full width: rows {@code y..y+rows-1} (a tile row hanging
   * over the raster's top or bottom holds fewer than a tile), scaled values and validity.
   */
  private record Strip(int y, int rows, float[] values, byte[] valid) {}

  /** The state of one run. */
  private final class Run {
    private final RasterSource source;
    private final TileModel model;
    private final BandConsumer consumer;
    private final TileGrid grid;
    private final int width;
    private final int size;
    private final int channels;
    private final TileWindow colWeights;
    private final TileWindow rowWeights;
    private final ProbabilityBlender blender;
    private final float[] batch;
    private final float[] logits;
    private final int[] batchX;
    private int inBatch;
    private int done;
    private int skipped;
    private int batches;
    private long modelNanos;
    private final double factor;
    private final ProgressListener progress;
    private final BooleanSupplier cancelled;

    Run(
        RasterSource source,
        TileModel model,
        BandConsumer consumer,
        double factor,
        long startColumn,
        long startRow,
        ProgressListener progress,
        BooleanSupplier cancelled) {
      this.factor = factor;
      this.progress = progress;
      this.cancelled = cancelled;
      this.source = source;
      this.model = model;
      this.consumer = consumer;
      this.grid =
          new TileGrid(source.width(), source.height(), tileSize, overlap, startColumn, startRow);
      this.width = grid.width();
      this.size = tileSize;
      this.channels = bands.length;
      this.colWeights = new TileWindow(size, overlap);
      this.rowWeights = new TileWindow(size, overlap);
      this.blender = new ProbabilityBlender(width, Math.min(size, grid.height()));
      int perBatch = Math.min(batchSize, grid.tileCount());
      this.batch = new float[perBatch * channels * tileSize * tileSize];
      this.logits = new float[perBatch * tileSize * tileSize];
      this.batchX = new int[perBatch];
    }

    InferenceSummary execute() throws IOException {
      long start = System.nanoTime();
      ExecutorService reader =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "diffris-tile-reader");
                t.setDaemon(true);
                return t;
              });
      int bandCount = 0;
      try {
        Future<Strip> next = reader.submit(readStrip(0));
        for (int j = 0; j < grid.rowCount(); j++) {
          Strip strip = await(next);
          next = j + 1 < grid.rowCount() ? reader.submit(readStrip(j + 1)) : null;
          int tileY = grid.y(j);
          blender.setValidity(strip.y(), strip.rows(), strip.valid(), 0);
          for (int i = 0; i < grid.columnCount(); i++) {
            checkCancelled();
            int x = grid.x(i);
            if (!anyValid(strip, x)) {
              skipped++;
              done++;
              progress.tilesDone(done, grid.tileCount());
              continue;
            }
            addToBatch(strip, tileY, x);
            if (inBatch == batchX.length) {
              flush(strip, tileY);
            }
          }
          flush(strip, tileY);
          ProbabilityBlender.Band band =
              blender.takeRows(grid.finalRowsEnd(j) - blender.firstRow());
          consumer.accept(band.firstRow(), band.height(), band.probabilities(), band.valid());
          bandCount++;
        }
      } finally {
        reader.shutdownNow();
      }
      return new InferenceSummary(
          grid.tileCount(),
          skipped,
          batches,
          modelNanos,
          System.nanoTime() - start,
          bandCount,
          factor,
          width,
          grid.height(),
          model.provider());
    }

    private java.util.concurrent.Callable<Strip> readStrip(int row) {
      int first = Math.max(0, grid.y(row));
      int end = Math.min(grid.height(), grid.y(row) + size);
      return () -> readStripAt(first, end - first);
    }

    private Strip readStripAt(int y, int rows) throws IOException {
      int n = width * rows;
      float[] values = new float[channels * n];
      source.read(0, y, width, rows, bands, values);
      // A pixel is nodata when a band is NaN (nothing to feed) or when every selected band holds
      // its nodata value, as in GDAL's dataset mask: RGB files tagged with nodata 0 keep their pure
      // reds and blacks in one channel. A single band at its nodata value is fed as the mean.
      byte[] valid = new byte[n];
      int[] atNodata = new int[n];
      for (int c = 0; c < channels; c++) {
        double nodata = source.nodata(bands[c]).orElse(Double.NaN);
        for (int i = 0; i < n; i++) {
          float v = values[c * n + i];
          if (Float.isNaN(v)) {
            atNodata[i] = channels + 1;
          } else if (v == nodata) {
            atNodata[i]++;
          }
        }
      }
      for (int i = 0; i < n; i++) {
        valid[i] = atNodata[i] >= channels ? (byte) 0 : (byte) 1;
      }
      for (int c = 0; c < channels; c++) {
        double nodata = source.nodata(bands[c]).orElse(Double.NaN);
        for (int i = 0; i < n; i++) {
          float v = values[c * n + i];
          // Nodata becomes the model's mean (0 after normalization), never a garbage value.
          values[c * n + i] = valid[i] == 0 || v == nodata ? 0f : scaling.apply(c, v);
        }
      }
      return new Strip(y, rows, values, valid);
    }

    private Strip await(Future<Strip> future) throws IOException {
      try {
        return future.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InferenceCancelledException(done, grid.tileCount());
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof IOException io) {
          throw io;
        }
        if (cause instanceof RuntimeException re) {
          throw re;
        }
        if (cause instanceof Error error) {
          throw error; // out of memory, above all: the host says so, not "reading failed"
        }
        throw new UncheckedIOException(new IOException("reading the raster failed", cause));
      }
    }

    /** Whether the part of the tile at column {@code x} inside the raster has a valid pixel. */
    private boolean anyValid(Strip strip, int x) {
      byte[] valid = strip.valid();
      int from = Math.max(0, x);
      int to = Math.min(width, x + size);
      for (int r = 0; r < strip.rows(); r++) {
        for (int i = r * width + from, end = r * width + to; i < end; i++) {
          if (valid[i] != 0) {
            return true;
          }
        }
      }
      return false;
    }

    /** Copies the tile at {@code (x, tileY)} into the batch, its part outside the raster at 0. */
    private void addToBatch(Strip strip, int tileY, int x) {
      int plane = size * size;
      int base = inBatch * channels * plane;
      int from = Math.max(0, x);
      int to = Math.min(width, x + size);
      int top = strip.y() - tileY;
      if (to - from < size || strip.rows() < size) {
        Arrays.fill(batch, base, base + channels * plane, 0f);
      }
      int n = width * strip.rows();
      for (int c = 0; c < channels; c++) {
        for (int r = 0; r < strip.rows(); r++) {
          System.arraycopy(
              strip.values(),
              c * n + r * width + from,
              batch,
              base + c * plane + (top + r) * size + (from - x),
              to - from);
        }
      }
      batchX[inBatch++] = x;
    }

    private void flush(Strip strip, int tileY) {
      if (inBatch == 0) {
        return;
      }
      checkCancelled();
      modelNanos += model.predict(batch, inBatch, size, size, logits);
      batches++;
      int plane = size * size;
      int top = strip.y() - tileY;
      for (int k = 0; k < inBatch; k++) {
        int x = batchX[k];
        int from = Math.max(0, x);
        int to = Math.min(width, x + size);
        int first = k * plane + top * size + (from - x);
        for (int r = 0; r < strip.rows(); r++) {
          for (int i = first + r * size, end = i + to - from; i < end; i++) {
            logits[i] = (float) (1 / (1 + Math.exp(-logits[i])));
          }
        }
        blender.add(
            from,
            strip.y(),
            to - from,
            strip.rows(),
            logits,
            first,
            size,
            colWeights,
            from - x,
            rowWeights,
            top);
      }
      done += inBatch;
      inBatch = 0;
      progress.tilesDone(done, grid.tileCount());
    }

    private void checkCancelled() {
      if (cancelled.getAsBoolean()) {
        throw new InferenceCancelledException(done, grid.tileCount());
      }
    }
  }
}
