package org.diffris.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.diffris.runtime.ModelBundle;
import org.diffris.runtime.ModelDescription;
import org.diffris.runtime.json.JsonReader;
import org.diffris.runtime.onnx.ExecutionProvider;
import org.diffris.runtime.onnx.SessionSettings;
import org.diffris.runtime.tiling.InferenceSummary;
import org.diffris.runtime.tiling.RasterSource;
import org.diffris.vectorizer.AreaModel;
import org.diffris.vectorizer.PixelToWorld;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The estimate before a run ({@link RunEstimate}) with the embedded tiny model: its tiles are the
 * tiles the run sends, its heap the job-memory formula's, its time the tiles times the cached cost
 * a real run measured; a limit refuses before any pixel is read; the bundle's native memory is
 * checked; the tile-cost cache survives a corrupt file.
 */
class RunEstimateTest {
  private static final Path TINY = Path.of("..", "sample-data", "models", "diffris-tiny");
  private static Segmenter segmenter;

  @TempDir Path folder;

  @BeforeAll
  static void load() throws IOException {
    segmenter = Segmenter.open(ModelBundle.open(TINY), SessionSettings.of(ExecutionProvider.CPU));
  }

  @AfterAll
  static void close() {
    segmenter.close();
  }

  /** A textured 8-bit raster at {@code gsd} metres, its corner away from the CRS origin. */
  private static RasterInput raster(int width, int height, double gsd, SampleType type) {
    RasterSource source =
        new RasterSource() {
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
          public void read(int x, int y, int w, int h, int[] bands, float[] dest) {
            for (int b = 0; b < bands.length; b++) {
              for (int r = 0; r < h; r++) {
                for (int c = 0; c < w; c++) {
                  dest[(b * h + r) * w + c] = ((x + c) * 7 + (y + r) * 3 + b * 50) % 256;
                }
              }
            }
          }
        };
    return new RasterInput(
        source,
        new PixelToWorld(500_013.3, gsd, 0, 4_100_007.9, 0, -gsd),
        AreaModel.planar(1),
        type,
        List.of(),
        32633);
  }

  private static RunEstimate plan(RasterInput input, SegmentOptions options, List<Object> out)
      throws IOException {
    AtomicReference<RunEstimate> seen = new AtomicReference<>();
    out.add(segmenter.plan(input, options, seen::set));
    return seen.get();
  }

  @ParameterizedTest(name = "{0} x {1} at {2} m, tile {3}, batch {4}")
  @CsvSource({
    "300, 200, 1.0, 64, 4",
    "301, 177, 0.5, 64, 3",
    "150, 260, 2.0, 96, 1",
    "40, 30, 1.0, 64, 8",
  })
  void theEstimatesTilesAreTheTilesTheRunSends(
      int width, int height, double gsd, int tile, int batch) throws IOException {
    RasterInput input = raster(width, height, gsd, SampleType.BYTE);
    List<Object> plans = new ArrayList<>();
    SegmentOptions options =
        SegmentOptions.builder("white storage tanks").tileSize(tile).batchSize(batch).build();
    RunEstimate estimate = plan(input, options, plans);
    SegmentationSummary summary =
        ((SegmentationPlan) plans.get(0)).run(r -> {}, null, (d, t) -> {}, () -> false);
    assertEquals(summary.inference().tiles(), estimate.tiles());
    assertEquals(summary.inference().batches(), estimate.batches());
    assertEquals(summary.inference().modelWidth(), estimate.modelWidth());
    assertEquals(summary.inference().modelHeight(), estimate.modelHeight());
    assertEquals(width, estimate.rasterWidth());
    assertEquals(height, estimate.rasterHeight());
    assertEquals(batch, estimate.batchSize());
    double factor = gsd; // the model's GSD is 1 m
    assertEquals(
        SegmentationPlan.jobBytes(
            estimate.tileSize(),
            batch,
            3,
            (long) Math.ceil(width * factor) + 1,
            width,
            factor,
            factor),
        estimate.heapBytes());
    assertEquals(Runtime.getRuntime().maxMemory(), estimate.heapLimitBytes());
    assertTrue(estimate.seconds().isEmpty(), "no time before a cost is given");
  }

  @Test
  void theTimeIsTheTilesTimesTheCostRealRunsMeasured() throws IOException {
    TileCostCache cache = new TileCostCache(folder.resolve("tile-costs.json"), w -> {});
    RasterInput input = raster(200, 150, 1.0, SampleType.BYTE);
    SegmentOptions options = SegmentOptions.builder("white storage tanks").build();
    List<Object> plans = new ArrayList<>();
    RunEstimate estimate = plan(input, options, plans);
    assertTrue(cache.cached(segmenter, estimate).isEmpty());

    SegmentationSummary first =
        ((SegmentationPlan) plans.get(0)).run(r -> {}, null, (d, t) -> {}, () -> false);
    cache.recordRun(segmenter, estimate, first);
    TileCost cost = cache.cached(segmenter, estimate).orElseThrow();
    assertEquals(1, cost.runs());
    assertEquals("mean of 1 earlier run", cost.basis());
    double firstSeconds = first.inference().totalNanos() / 1e9;
    // One run: the estimate of the same raster is that run's time.
    assertEquals(firstSeconds, estimate.withCost(cost).seconds().getAsDouble(), 1e-9);

    SegmentationSummary second =
        ((SegmentationPlan) plans.get(0)).run(r -> {}, null, (d, t) -> {}, () -> false);
    cache.recordRun(segmenter, estimate, second);
    TileCost two = cache.cached(segmenter, estimate).orElseThrow();
    assertEquals(2, two.runs());
    double secondSeconds = second.inference().totalNanos() / 1e9;
    int tiles = estimate.tiles();
    double expected =
        (TileCostCache.DECAY * firstSeconds + secondSeconds) / ((TileCostCache.DECAY + 1) * tiles);
    assertEquals(expected, two.secondsPerTile(), 1e-12);
    assertEquals(tiles * expected, estimate.withCost(two).seconds().getAsDouble(), 1e-9);
  }

  @Test
  void aLimitRefusesTheJobBeforeAnyPixelIsRead() throws IOException {
    AtomicInteger reads = new AtomicInteger();
    RasterInput counted =
        raster(512, 512, 1.0, new SampleType(SampleType.Kind.UNSIGNED_INTEGER, 16, 0));
    RasterSource source = counted.source();
    RasterInput input =
        new RasterInput(
            new RasterSource() {
              @Override
              public int width() {
                return source.width();
              }

              @Override
              public int height() {
                return source.height();
              }

              @Override
              public int bandCount() {
                return source.bandCount();
              }

              @Override
              public void read(int x, int y, int w, int h, int[] bands, float[] dest)
                  throws IOException {
                reads.incrementAndGet();
                source.read(x, y, w, h, bands, dest);
              }
            },
            counted.pixelToWorld(),
            counted.areaModel(),
            counted.sampleType(),
            List.of(),
            counted.srid());
    SegmentOptions options = SegmentOptions.builder("white storage tanks").build();
    TileCost cost = new TileCost(0.5, 3, "mean of 3 earlier runs");
    EstimateLimitException refused =
        assertThrows(
            EstimateLimitException.class,
            () -> segmenter.plan(input, options, e -> e.withCost(cost).checkWithin(10)));
    assertEquals(0, reads.get(), "no pixel read before the refusal");
    RunEstimate estimate = refused.estimate();
    assertEquals(estimate.tiles() * 0.5, estimate.seconds().getAsDouble(), 1e-9);
    assertTrue(estimate.seconds().getAsDouble() > 10);
    assertTrue(
        refused.getMessage().contains(estimate.tiles() + " tiles × 500.00 ms per tile"),
        refused.getMessage());
    assertTrue(refused.getMessage().contains("above the limit of 10 s"), refused.getMessage());
    // Within the limit the same job plans, and its statistics pass reads the 16-bit pixels.
    segmenter.plan(input, options, e -> e.withCost(cost).checkWithin(1e6));
    assertTrue(reads.get() > 0);
  }

  @Test
  void aBundlesNativeMemoryIsEstimatedAndABatchThatCannotFitIsRefused() throws IOException {
    RasterInput input = raster(200, 200, 1.0, SampleType.BYTE);
    SegmentOptions options =
        SegmentOptions.builder("white storage tanks").tileSize(128).batchSize(2).build();
    // The embedded bundle's measured runtime_memory, at its tile of 256.
    ModelDescription.RuntimeMemory tiny = segmenter.description().runtimeMemory().orElseThrow();
    assertEquals(256, tiny.tile());
    long expected = tiny.baseBytes() + (long) Math.ceil(2 * tiny.bytesPerBatchItem() / 4.0);
    RunEstimate measured = plan(input, options, new ArrayList<>());
    assertEquals(expected, measured.nativeBytes().getAsLong());
    assertTrue(
        measured
            .lines()
            .contains(
                "native memory (ONNX Runtime): "
                    + RunEstimate.bytes(expected)
                    + " for tiles of 128 in batches of 2"),
        measured.lines().toString());
    Path without = copyOfTiny(null);
    try (Segmenter unmeasured =
        Segmenter.open(ModelBundle.open(without), SessionSettings.of(ExecutionProvider.CPU))) {
      AtomicReference<RunEstimate> seen = new AtomicReference<>();
      unmeasured.plan(input, options, seen::set);
      assertTrue(seen.get().nativeBytes().isEmpty());
      assertTrue(
          String.join("\n", seen.get().lines()).contains("native memory (ONNX Runtime): unknown"));
    }

    Path huge = copyOfTiny("\"tile\": 64, \"base_bytes\": 0, \"bytes_per_batch_item\": 1e15");
    try (Segmenter tooBig =
        Segmenter.open(ModelBundle.open(huge), SessionSettings.of(ExecutionProvider.CPU))) {
      InvalidInputException refused =
          assertThrows(InvalidInputException.class, () -> tooBig.plan(input, options));
      assertTrue(refused.getMessage().contains("native memory"), refused.getMessage());
      assertTrue(refused.getMessage().contains("batches of 2"), refused.getMessage());
    }
  }

  /** The embedded bundle with a {@code runtime_memory} object of these members (null: none). */
  private Path copyOfTiny(String members) throws IOException {
    Path copy = Files.createTempDirectory(folder, "bundle");
    try (Stream<Path> files = Files.walk(TINY)) {
      for (Path f : files.toList()) {
        Path target = copy.resolve(TINY.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    // The bundle's own runtime_memory, the last member of its model.json, replaced or removed.
    String json = Files.readString(copy.resolve("model.json"));
    int own = json.indexOf(",\n  \"runtime_memory\"");
    String rest = own < 0 ? json.substring(0, json.lastIndexOf('}')) : json.substring(0, own);
    Files.writeString(
        copy.resolve("model.json"),
        rest + (members == null ? "" : ", \"runtime_memory\": {" + members + "}") + "\n}\n");
    return copy;
  }

  @Test
  void aCorruptCacheIsIgnoredWithAWarningAndRewritten() throws IOException {
    Path file = folder.resolve("cache").resolve("tile-costs.json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "{\"format\": 1, \"costs\": {\"x\": ");
    List<String> warnings = new ArrayList<>();
    TileCostCache cache = new TileCostCache(file, warnings::add);
    RunEstimate estimate =
        plan(
            raster(300, 300, 1.0, SampleType.BYTE),
            SegmentOptions.builder("cars").build(),
            new ArrayList<>());
    assertTrue(cache.cached(segmenter, estimate).isEmpty());
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("ignored, and rewritten"), warnings.get(0));

    TileCost calibrated = cache.costFor(segmenter, estimate);
    assertTrue(calibrated.secondsPerTile() > 0);
    assertEquals(0, calibrated.runs());
    assertTrue(
        calibrated.basis().startsWith("calibrated now: median of 3 runs of "), calibrated.basis());
    // Rewritten whole: it parses, and the next look-up finds the calibration without a warning.
    Map<?, ?> root = (Map<?, ?>) JsonReader.parse(Files.readString(file), "cache");
    assertEquals(1, ((Map<?, ?>) root.get("costs")).size());
    warnings.clear();
    TileCost cached = cache.cached(segmenter, estimate).orElseThrow();
    assertEquals(calibrated.secondsPerTile(), cached.secondsPerTile(), 1e-12);
    assertTrue(cached.basis().startsWith("calibrated on "), cached.basis());
    assertEquals(List.of(), warnings);
    try (Stream<Path> left = Files.list(file.getParent())) {
      assertEquals(List.of(file), left.toList(), "no temporary file left beside the cache");
    }
  }

  @Test
  void anUnwritableCacheIsAWarningNotAFailure() throws IOException {
    Path notAFolder = folder.resolve("plain-file");
    Files.writeString(notAFolder, "x");
    List<String> warnings = new ArrayList<>();
    TileCostCache cache = new TileCostCache(notAFolder.resolve("tile-costs.json"), warnings::add);
    RunEstimate estimate =
        plan(
            raster(100, 100, 1.0, SampleType.BYTE),
            SegmentOptions.builder("cars").build(),
            new ArrayList<>());
    // What a run of 10 tiles in 5 ms would record.
    cache.recordRun(
        segmenter,
        estimate,
        new SegmentationSummary(
            new InferenceSummary(10, 0, 3, 1_000_000, 5_000_000, 1, 1, 100, 100, "CPU"),
            0,
            0,
            0,
            0.5,
            0,
            0));
    assertTrue(
        warnings.stream().anyMatch(w -> w.contains("cannot be written")), warnings.toString());
    assertTrue(cache.cached(segmenter, estimate).isEmpty());
  }

  @Test
  void theCacheKeyNamesModelProviderTileBatchAndCpus() throws IOException {
    RunEstimate estimate =
        plan(
            raster(100, 100, 1.0, SampleType.BYTE),
            SegmentOptions.builder("cars").tileSize(96).batchSize(2).build(),
            new ArrayList<>());
    List<String> parts = Arrays.asList(TileCostCache.key(segmenter, estimate).split("\\|"));
    assertEquals("diffris-tiny", parts.get(0));
    assertEquals(segmenter.description().version(), parts.get(1));
    assertEquals(12, parts.get(2).length());
    assertEquals("CPU", parts.get(3));
    assertEquals(
        List.of("tile=96", "batch=2", "cpus=" + Runtime.getRuntime().availableProcessors()),
        parts.subList(4, 7));
  }
}
