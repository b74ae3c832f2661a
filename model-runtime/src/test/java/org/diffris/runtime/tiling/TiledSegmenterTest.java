package org.diffris.runtime.tiling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Tiling, blending and streaming with plain-Java models whose output is known. */
class TiledSegmenterTest {

  /** A model computing {@code f(channel values)} at each pixel, counting its calls and tiles. */
  static final class PointwiseModel implements TileModel {
    final int channels;
    final PixelFunction f;
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger tiles = new AtomicInteger();

    PointwiseModel(int channels, PixelFunction f) {
      this.channels = channels;
      this.f = f;
    }

    @Override
    public int channels() {
      return channels;
    }

    @Override
    public long predict(float[] images, int count, int height, int width, float[] logits) {
      calls.incrementAndGet();
      tiles.addAndGet(count);
      int plane = height * width;
      float[] px = new float[channels];
      for (int k = 0; k < count; k++) {
        for (int i = 0; i < plane; i++) {
          for (int c = 0; c < channels; c++) {
            px[c] = images[(k * channels + c) * plane + i];
          }
          logits[k * plane + i] = f.logit(px);
        }
      }
      return 0;
    }
  }

  @FunctionalInterface
  interface PixelFunction {
    float logit(float[] channels);
  }

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** Values that encode the position, so any tile misplacement shows. */
  static ArrayRaster positional(int w, int h) {
    return ArrayRaster.of(
        w,
        h,
        3,
        null,
        (b, c, r) -> b == 0 ? c * 0.01f : b == 1 ? r * 0.02f : ((c * 7 + r * 3) % 11) * 0.1f);
  }

  static final PixelFunction SMOOTH =
      px -> (float) (3 * (px[0] - 0.5 * px[1]) + Math.sin(4 * px[2]));

  static CollectedBands run(TiledSegmenter tiler, RasterSource raster, TileModel model)
      throws IOException {
    CollectedBands out = new CollectedBands(raster.width(), raster.height());
    tiler.run(raster, model, out);
    assertTrue(out.complete(), "bands cover every row");
    return out;
  }

  @Test
  void constantLogitsGiveExactlyThatProbabilityEverywhere() throws IOException {
    ArrayRaster raster = positional(150, 97);
    float logit = 0.7f;
    TiledSegmenter tiler = TiledSegmenter.of(32, 10, PixelScaling.identity(3)).batchSize(3).build();
    CollectedBands out = run(tiler, raster, new PointwiseModel(3, px -> logit));
    float expected = (float) sigmoid(logit);
    for (int i = 0; i < out.probabilities.length; i++) {
      assertEquals(expected, out.probabilities[i], 0f, "pixel " + i);
      assertEquals(1, out.valid[i]);
    }
  }

  @Test
  void tiledEqualsOneBigTileForAPositionDependentModel() throws IOException {
    ArrayRaster raster = positional(173, 131);
    PointwiseModel model = new PointwiseModel(3, SMOOTH);
    CollectedBands tiled =
        run(
            TiledSegmenter.of(40, 12, PixelScaling.identity(3)).batchSize(4).build(),
            raster,
            model);
    CollectedBands whole =
        run(TiledSegmenter.of(200, 0, PixelScaling.identity(3)).build(), raster, model);
    assertTrue(tiled.bands.size() > 3 && whole.bands.size() == 1);
    for (int r = 0; r < raster.height(); r++) {
      for (int c = 0; c < raster.width(); c++) {
        float[] px = {raster.value(0, c, r), raster.value(1, c, r), raster.value(2, c, r)};
        double expected = sigmoid(SMOOTH.logit(px));
        assertEquals(expected, whole.p(c, r), 1e-6, "single tile at " + c + "," + r);
        assertEquals(whole.p(c, r), tiled.p(c, r), 1e-5, "tiled vs single at " + c + "," + r);
      }
    }
  }

  @Test
  void taperedWeightsHideAModelThatIsWrongAtTileEdges() throws IOException {
    // Like real models, this one is worse near tile borders: logit 2 within 4 px of an edge, else
    // 0.
    TileModel edgy =
        new TileModel() {
          @Override
          public int channels() {
            return 3;
          }

          @Override
          public long predict(float[] images, int count, int height, int width, float[] logits) {
            for (int k = 0; k < count; k++) {
              for (int r = 0; r < height; r++) {
                for (int c = 0; c < width; c++) {
                  int fromEdge = Math.min(Math.min(r, height - 1 - r), Math.min(c, width - 1 - c));
                  logits[(k * height + r) * width + c] = fromEdge < 4 ? 2f : 0f;
                }
              }
            }
            return 0;
          }
        };
    ArrayRaster raster = positional(200, 170);
    CollectedBands out =
        run(TiledSegmenter.of(64, 16, PixelScaling.identity(3)).build(), raster, edgy);
    double worst = 0;
    for (int r = 4; r < 166; r++) {
      for (int c = 4; c < 196; c++) {
        worst = Math.max(worst, Math.abs(out.p(c, r) - 0.5));
      }
    }
    // Equal weights would leave (sigmoid(2) + 0.5) / 2 = 0.69 along every seam (an error of 0.19)
    // and 0.79 where four tiles meet (0.29). The taper keeps edge pixels at weight <= 0.11 per
    // axis: at most about 0.1 where four tile corners meet.
    assertTrue(worst < 0.11, "largest seam error inside the raster " + worst);
  }

  @Test
  void bandsAreContiguousInOrderAndCoverAllRows() throws IOException {
    ArrayRaster raster = positional(64, 301);
    TiledSegmenter tiler = TiledSegmenter.of(48, 16, PixelScaling.identity(3)).build();
    CollectedBands out = run(tiler, raster, new PointwiseModel(3, SMOOTH));
    TileGrid grid = new TileGrid(64, 301, 48, 16);
    assertEquals(grid.rowCount(), out.bands.size());
    int next = 0;
    for (int[] band : out.bands) {
      assertEquals(next, band[0]);
      next += band[1];
    }
    assertEquals(301, next);
  }

  @Test
  void memoryStaysWithinATileRowAndBandsLeaveBeforeReadingEnds() throws IOException {
    int w = 90;
    int h = 1000;
    int tile = 32;
    int overlap = 8;
    ArrayRaster raster = positional(w, h);
    List<Integer> rowsReadAtBand = new ArrayList<>();
    BandConsumer consumer = (first, height, p, v) -> rowsReadAtBand.add(raster.rowsReadSoFar);
    TiledSegmenter.of(tile, overlap, PixelScaling.identity(3))
        .build()
        .run(raster, new PointwiseModel(3, SMOOTH), consumer);
    // Reads are strips of one tile row: width x tile height, never more.
    assertTrue(raster.largestRead <= w * tile, "largest read " + raster.largestRead);
    // Each row is read by at most ceil(tile / (tile - overlap)) strips.
    for (int r = 0; r < h; r++) {
      assertTrue(
          raster.rowReads[r] >= 1 && raster.rowReads[r] <= 2,
          "row " + r + " read " + raster.rowReads[r]);
    }
    // The first band leaves while at most two strips (this one and the read-ahead) were read.
    assertTrue(
        rowsReadAtBand.get(0) <= 2 * tile, "rows read at first band: " + rowsReadAtBand.get(0));
    for (int i = 0; i < rowsReadAtBand.size() - 2; i++) {
      assertTrue(rowsReadAtBand.get(i) < h, "band " + i + " waited for the whole raster");
    }
  }

  @Test
  void theNextStripIsReadWhileTheModelRuns() throws IOException {
    ArrayRaster raster = positional(40, 100);
    java.util.concurrent.CountDownLatch secondStripRead =
        new java.util.concurrent.CountDownLatch(1);
    RasterSource watched =
        new RasterSource() {
          @Override
          public int width() {
            return raster.width();
          }

          @Override
          public int height() {
            return raster.height();
          }

          @Override
          public int bandCount() {
            return 3;
          }

          @Override
          public void read(int x, int y, int w, int h, int[] bands, float[] dest) {
            raster.read(x, y, w, h, bands, dest);
            if (y > 0) {
              secondStripRead.countDown();
            }
          }
        };
    AtomicInteger overlapped = new AtomicInteger();
    PointwiseModel inner = new PointwiseModel(3, SMOOTH);
    TileModel waiting =
        new TileModel() {
          @Override
          public int channels() {
            return 3;
          }

          @Override
          public long predict(float[] images, int count, int height, int width, float[] logits) {
            // The first model call waits for the second strip: it only arrives if reading runs
            // beside inference.
            try {
              if (secondStripRead.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                overlapped.incrementAndGet();
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return inner.predict(images, count, height, width, logits);
          }
        };
    run(TiledSegmenter.of(32, 8, PixelScaling.identity(3)).build(), watched, waiting);
    assertTrue(overlapped.get() > 0, "the second strip was read while the first tiles ran");
  }

  @Test
  void nodataIsMaskedAndAllNodataTilesAreNotRun() throws IOException {
    int w = 128;
    int h = 96;
    // Left half of the raster is nodata (-9999) in every band; one more hole (NaN) in band 0.
    // Band 1 alone holds -9999 in column 70: that pixel stays valid, fed as the mean (0).
    ArrayRaster raster =
        ArrayRaster.of(
            w,
            h,
            3,
            -9999.0,
            (b, c, r) -> {
              if (c < 64 || (b == 1 && c == 70)) {
                return -9999f;
              }
              if (b == 0 && c == 100 && r == 50) {
                return Float.NaN;
              }
              return 0.25f;
            });
    PointwiseModel model =
        new PointwiseModel(
            3,
            px -> {
              for (float v : px) {
                if (v != 0.25f) {
                  throw new AssertionError("the model saw a nodata value " + v);
                }
              }
              return 2f;
            });
    // Nodata is replaced by the scaled mean (here 0): the model must see 0.25 or 0 only.
    PointwiseModel checking =
        new PointwiseModel(
            3,
            px -> {
              for (float v : px) {
                if (v != 0.25f && v != 0f) {
                  throw new AssertionError("unexpected model input " + v);
                }
              }
              return 2f;
            });
    CollectedBands out =
        run(
            TiledSegmenter.of(32, 0, PixelScaling.identity(3)).batchSize(1).build(),
            raster,
            checking);
    for (int r = 0; r < h; r++) {
      for (int c = 0; c < w; c++) {
        boolean nodata = c < 64 || (c == 100 && r == 50);
        assertEquals(nodata ? 0 : 1, out.valid[r * w + c], "validity at " + c + "," + r);
        assertEquals(
            nodata ? 0f : (float) sigmoid(2), out.p(c, r), 0f, "probability at " + c + "," + r);
      }
    }
    // 4 x 3 tiles, the left two columns are all nodata: only 6 tiles reach the model.
    assertEquals(6, checking.tiles.get());
    assertEquals(0, model.calls.get());
  }

  @Test
  void anAllNodataRasterNeverReachesTheModelAndComesOutInvalid() throws IOException {
    ArrayRaster raster = ArrayRaster.of(70, 50, 3, null, (b, c, r) -> Float.NaN);
    PointwiseModel model = new PointwiseModel(3, SMOOTH);
    CollectedBands out = new CollectedBands(70, 50);
    InferenceSummary summary =
        TiledSegmenter.of(32, 8, PixelScaling.identity(3)).build().run(raster, model, out);
    assertTrue(out.complete());
    assertEquals(0, model.calls.get());
    assertEquals(summary.tiles(), summary.tilesSkipped());
    for (int i = 0; i < out.valid.length; i++) {
      assertEquals(0, out.valid[i]);
      assertEquals(0f, out.probabilities[i]);
    }
  }

  @Test
  void aOnePixelRasterWorks() throws IOException {
    ArrayRaster raster = ArrayRaster.of(1, 1, 3, null, (b, c, r) -> 0.5f);
    CollectedBands out =
        run(
            TiledSegmenter.of(64, 16, PixelScaling.identity(3)).build(),
            raster,
            new PointwiseModel(3, px -> px[0]));
    assertEquals((float) sigmoid(0.5), out.p(0, 0));
  }

  @Test
  void aConsumerFailureStopsTheRun() {
    ArrayRaster raster = positional(64, 300);
    PointwiseModel model = new PointwiseModel(3, SMOOTH);
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                TiledSegmenter.of(32, 8, PixelScaling.identity(3))
                    .batchSize(1)
                    .build()
                    .run(
                        raster,
                        model,
                        (f, h, p, v) -> {
                          throw new IOException("disk full");
                        }));
    assertEquals("disk full", e.getMessage());
    assertEquals(3, model.tiles.get(), "only the first tile row ran");
  }

  @Test
  void wholeRasterScalingGivesTheSameProbabilitiesForEitherHalf() throws IOException {
    // A 16-bit-like raster whose two halves have very different value ranges.
    int w = 100;
    int h = 120;
    ArrayRaster raster =
        ArrayRaster.of(
            w, h, 3, null, (b, c, r) -> r < 60 ? 100 + c + b * 10 : 3000 + 20 * c + r + b);
    int[] bands = {0, 1, 2};
    double[][] limits = RasterStatistics.percentiles(raster, bands, 0, 100);
    double[] mean = {0.5, 0.5, 0.5};
    double[] std = {0.25, 0.25, 0.25};
    PixelScaling scaling = PixelScaling.stretch(limits[0], limits[1], mean, std);
    PointwiseModel model = new PointwiseModel(3, px -> px[0] + 0.3f * px[2]);
    TiledSegmenter tiler = TiledSegmenter.of(32, 8, scaling).build();
    CollectedBands whole = run(tiler, raster, model);
    CollectedBands top = run(tiler, raster.rows(0, 60), model);
    CollectedBands bottom = run(tiler, raster.rows(60, 60), model);
    for (int r = 0; r < h; r++) {
      for (int c = 0; c < w; c++) {
        float half = r < 60 ? top.p(c, r) : bottom.p(c, r - 60);
        assertEquals(whole.p(c, r), half, 1e-6, "at " + c + "," + r);
        // And the value is the one the whole-raster statistics give, computed here by hand.
        double x0 =
            ((raster.value(0, c, r) - limits[0][0]) / (limits[1][0] - limits[0][0]) - 0.5) / 0.25;
        double x2 =
            ((raster.value(2, c, r) - limits[0][2]) / (limits[1][2] - limits[0][2]) - 0.5) / 0.25;
        assertEquals(sigmoid(x0 + 0.3 * x2), whole.p(c, r), 1e-5);
      }
    }
  }

  @Test
  void percentileLimitsComeFromTheWholeRaster() throws IOException {
    ArrayRaster raster = ArrayRaster.of(100, 100, 1, 0.0, (b, c, r) -> r * 100 + c); // 0..9999
    double[][] limits = RasterStatistics.percentiles(raster, new int[] {0}, 2, 98);
    // Value 0 is nodata and left out; 2 % and 98 % of 1..9999 are the 200th and 9800th values.
    assertEquals(200, limits[0][0]);
    assertEquals(9800, limits[1][0]);
    // Pooled over bands, with a census taken first or not: the same limits, and the census
    // leaves nodata out too.
    ArrayRaster three = ArrayRaster.of(100, 100, 3, 0.0, (b, c, r) -> r * 100 + c + b * 10000);
    int[] all = {0, 1, 2};
    double[] range = RasterStatistics.range(three, all);
    assertArrayEquals(new double[] {1, 29999}, range);
    double[] measured = RasterStatistics.pooledPercentiles(three, all, 2, 98);
    RasterStatistics.Census census = RasterStatistics.census(three, all, true);
    int readsBefore = java.util.Arrays.stream(three.rowReads).sum();
    double[][] given = RasterStatistics.percentiles(three, census, 2, 98);
    assertArrayEquals(measured, new double[] {given[0][0], given[1][0]});
    assertEquals(
        100,
        java.util.Arrays.stream(three.rowReads).sum() - readsBefore,
        "one pass when the census is taken");
    readsBefore = java.util.Arrays.stream(three.rowReads).sum();
    RasterStatistics.pooledPercentiles(three, all, 2, 98);
    assertEquals(200, java.util.Arrays.stream(three.rowReads).sum() - readsBefore, "two passes");
  }

  @Test
  void cancellationStopsWithinOneTile() {
    ArrayRaster raster = positional(200, 200);
    AtomicInteger seen = new AtomicInteger();
    PointwiseModel model = new PointwiseModel(3, SMOOTH);
    TiledSegmenter tiler = TiledSegmenter.of(32, 8, PixelScaling.identity(3)).batchSize(1).build();
    InferenceCancelledException e =
        assertThrows(
            InferenceCancelledException.class,
            () ->
                tiler.run(
                    raster,
                    model,
                    (f, hh, p, v) -> {},
                    (done, total) -> seen.set(done),
                    () -> seen.get() >= 5));
    assertEquals(5, model.tiles.get(), "tiles run after the cancel request");
    int total = new TileGrid(200, 200, 32, 8).tileCount();
    assertTrue(e.getMessage().contains("5 of " + total), e.getMessage());
  }

  @Test
  void progressCountsEveryTileUpToTheTotal() throws IOException {
    ArrayRaster raster = positional(100, 70);
    List<int[]> calls = new ArrayList<>();
    TiledSegmenter tiler = TiledSegmenter.of(32, 8, PixelScaling.identity(3)).batchSize(2).build();
    InferenceSummary summary =
        tiler.run(
            raster,
            new PointwiseModel(3, SMOOTH),
            (f, h, p, v) -> {},
            (done, total) -> calls.add(new int[] {done, total}),
            () -> false);
    TileGrid grid = new TileGrid(100, 70, 32, 8);
    assertEquals(grid.tileCount(), summary.tiles());
    for (int i = 1; i < calls.size(); i++) {
      assertTrue(calls.get(i)[0] > calls.get(i - 1)[0]);
    }
    assertArrayEquals(new int[] {grid.tileCount(), grid.tileCount()}, calls.get(calls.size() - 1));
  }

  @Test
  void selectedBandsFeedTheModelInOrder() throws IOException {
    ArrayRaster raster = ArrayRaster.of(50, 40, 4, null, (b, c, r) -> b + 1); // band b holds b + 1
    PointwiseModel model = new PointwiseModel(3, px -> px[0] * 100 + px[1] * 10 + px[2]);
    PointwiseModel probe =
        new PointwiseModel(
            3,
            px -> {
              boolean padding = px[0] == 0 && px[1] == 0 && px[2] == 0;
              if (!padding && (px[0] != 4 || px[1] != 1 || px[2] != 3)) {
                throw new AssertionError("channels got bands " + px[0] + "," + px[1] + "," + px[2]);
              }
              return 0;
            });
    run(TiledSegmenter.of(32, 8, PixelScaling.identity(3)).bands(3, 0, 2).build(), raster, probe);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TiledSegmenter.of(32, 8, PixelScaling.identity(3))
                    .bands(0, 1, 4)
                    .build()
                    .run(raster, model, (f, h, p, v) -> {}));
    assertTrue(
        e.getMessage().startsWith("band 5 requested, the raster has 4 bands"), e.getMessage());
  }

  @Test
  void aRasterSmallerThanATileIsPaddedNotStretched() throws IOException {
    ArrayRaster raster = positional(20, 9);
    PointwiseModel model = new PointwiseModel(3, SMOOTH);
    CollectedBands out =
        run(TiledSegmenter.of(64, 16, PixelScaling.identity(3)).build(), raster, model);
    for (int r = 0; r < 9; r++) {
      for (int c = 0; c < 20; c++) {
        float[] px = {raster.value(0, c, r), raster.value(1, c, r), raster.value(2, c, r)};
        assertEquals(sigmoid(SMOOTH.logit(px)), out.p(c, r), 1e-6);
      }
    }
    assertEquals(1, model.tiles.get());
  }
}
