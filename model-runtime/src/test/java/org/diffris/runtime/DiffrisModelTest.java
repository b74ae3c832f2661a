package org.diffris.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.diffris.runtime.onnx.ExecutionProvider;
import org.diffris.runtime.onnx.ProviderUnavailableException;
import org.diffris.runtime.onnx.SessionSettings;
import org.diffris.runtime.tiling.InferenceSummary;
import org.diffris.runtime.tiling.PixelScaling;
import org.diffris.runtime.tiling.RasterSource;
import org.diffris.runtime.tiling.TileGrid;
import org.diffris.runtime.tiling.TiledSegmenter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX path end to end with the analytic test graphs: logit = x0 + 0.5 x1 - 0.25 x2 - 0.001 *
 * (id of the first text token), x = the bundle-normalized pixel.
 */
class DiffrisModelTest {
  @TempDir static Path temp;
  static ModelBundle bundle;
  static DiffrisModel model;

  @BeforeAll
  static void open() throws IOException {
    bundle = ModelBundle.open(TestBundles.write(temp.resolve("bundle")));
    model = DiffrisModel.open(bundle, SessionSettings.of(ExecutionProvider.CPU).withThreads(1, 1));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  /** An 8-bit-like raster whose values depend on the position. */
  static RasterArray raster(int w, int h) {
    return new RasterArray(w, h, (b, c, r) -> (c * 3 + r * 5 + b * 40) % 256);
  }

  static double expected(RasterArray raster, int c, int r, String query) {
    PixelScaling s = PixelScaling.fromBundle(bundle.description());
    double x0 = s.apply(0, raster.value(0, c, r));
    double x1 = s.apply(1, raster.value(1, c, r));
    double x2 = s.apply(2, raster.value(2, c, r));
    int firstToken = bundle.tokenizer().encode(query).ids()[1];
    double logit = x0 + 0.5 * x1 - 0.25 * x2 - firstToken * 0.001f;
    return 1 / (1 + Math.exp(-logit));
  }

  static float[] segment(TiledSegmenter tiler, RasterSource raster, String query)
      throws IOException {
    float[] out = new float[raster.width() * raster.height()];
    tiler.run(
        raster,
        model.forQuery(query),
        (first, h, p, v) -> System.arraycopy(p, 0, out, first * raster.width(), p.length));
    return out;
  }

  @Test
  void cpuRunsAndSaysSo() {
    assertEquals("CPU", model.provider().toString());
    assertFalse(model.provider().isCuda());
  }

  @Test
  void probabilitiesMatchTheGraphsFormulaAcrossTiles() throws IOException {
    RasterArray raster = raster(150, 130);
    TiledSegmenter tiler = TiledSegmenter.forModel(bundle.description()).build();
    assertEquals(64, tiler.tileSize());
    assertEquals(16, tiler.overlap());
    float[] p = segment(tiler, raster, "car");
    for (int r = 0; r < raster.height(); r++) {
      for (int c = 0; c < raster.width(); c++) {
        assertEquals(
            expected(raster, c, r, "car"), p[r * raster.width() + c], 1e-5, "at " + c + "," + r);
      }
    }
    float[] single =
        segment(
            TiledSegmenter.forModel(bundle.description()).tileSize(160).overlap(0).build(),
            raster,
            "car");
    for (int i = 0; i < p.length; i++) {
      assertEquals(single[i], p[i], 1e-5, "tiled vs one tile at pixel " + i);
    }
  }

  @Test
  void theTextEncoderRunsOncePerQueryNotPerTile() throws IOException {
    long before = model.textEncoderRuns();
    RasterArray raster = raster(200, 200);
    TiledSegmenter tiler = TiledSegmenter.forModel(bundle.description()).batchSize(2).build();
    InferenceSummary summary = tiler.run(raster, model.forQuery("a red cat"), (f, h, p, v) -> {});
    assertTrue(summary.tiles() >= 16);
    assertEquals("CPU", summary.provider());
    tiler.run(raster, model.forQuery("a red cat"), (f, h, p, v) -> {});
    assertEquals(before + 1, model.textEncoderRuns());
    tiler.run(raster, model.forQuery("two cars"), (f, h, p, v) -> {});
    assertEquals(before + 2, model.textEncoderRuns());
    assertTrue(summary.modelNanos() > 0 && summary.modelNanos() <= summary.totalNanos());
    // Batches of two, the last of each tile row possibly alone.
    TileGrid grid = new TileGrid(200, 200, tiler.tileSize(), tiler.overlap());
    assertEquals(grid.rowCount() * ((grid.columnCount() + 1) / 2), summary.batches());
  }

  @Test
  void differentQueriesGiveDifferentFeatures() {
    DiffrisModel.QueryFeatures car = model.encode("car");
    assertEquals(77, car.tokens());
    assertEquals(4, car.dim());
    int id = bundle.tokenizer().encode("car").ids()[1];
    assertEquals(id * 0.001f * 3, car.value(1, 2), 1e-6);
  }

  @Test
  void concurrentCallersOnOneSessionGetTheirOwnResults() throws Exception {
    RasterArray raster = raster(130, 100);
    TiledSegmenter tiler = TiledSegmenter.forModel(bundle.description()).batchSize(3).build();
    String[] queries = {"car", "cat", "a car", "the cars"};
    List<float[]> reference = new ArrayList<>();
    for (String q : queries) {
      reference.add(segment(tiler, raster, q));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<float[]>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        String q = queries[i % queries.length];
        results.add(pool.submit(() -> segment(tiler, raster, q)));
      }
      for (int i = 0; i < results.size(); i++) {
        assertArrayEquals(reference.get(i % queries.length), results.get(i).get(), "run " + i);
      }
    } finally {
      pool.shutdownNow();
    }
    // The queries differ in their first token, so their results differ too.
    assertFalse(java.util.Arrays.equals(reference.get(0), reference.get(1)));
  }

  @Test
  void cudaOnTheCpuBuildIsAClearError() {
    assumeFalse(
        OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
        "this ONNX Runtime has CUDA; the CPU-build error path does not apply");
    ProviderUnavailableException e =
        assertThrows(
            ProviderUnavailableException.class,
            () -> DiffrisModel.open(bundle, SessionSettings.of(ExecutionProvider.parse("cuda:1"))));
    assertTrue(
        e.getMessage()
            .startsWith(
                "CUDA was requested (cuda:1) but this ONNX Runtime build"
                    + " has no CUDA provider"),
        e.getMessage());
    assertTrue(e.getMessage().contains("choose cpu or auto"), e.getMessage());
  }

  @Test
  void autoFallsBackToCpuAndSaysWhy() throws IOException {
    assumeFalse(
        OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
        "this ONNX Runtime has CUDA; auto may run on it");
    try (DiffrisModel auto =
        DiffrisModel.open(bundle, SessionSettings.of(ExecutionProvider.AUTO))) {
      assertEquals("CPU", auto.provider().name());
      assertEquals(
          "CPU (auto: CUDA not available, this ONNX Runtime build has no CUDA provider)",
          auto.provider().toString());
      assertEquals(ExecutionProvider.AUTO, auto.provider().requested());
    }
  }

  @Test
  void aGraphWithOtherInputNamesIsRefusedNamingFileAndInput() throws IOException {
    ModelBundle wrong =
        ModelBundle.open(TestBundles.write(temp.resolve("misnamed"), "segmenter_misnamed.onnx"));
    BundleFileException e =
        assertThrows(
            BundleFileException.class,
            () -> DiffrisModel.open(wrong, SessionSettings.of(ExecutionProvider.CPU)));
    assertEquals("segmenter.onnx", e.file());
    assertEquals(
        "segmenter.onnx: input 'text_features' not found; the graph's inputs are"
            + " [pixels, text] (expected text_features float32 [?,77,4])",
        e.getMessage());
  }

  @Test
  void aGraphOfTheWrongKindIsRefused() throws IOException {
    // The text encoder standing in for the segmenter: no 'image' input.
    Path folder = TestBundles.write(temp.resolve("swapped"), "segmenter.onnx");
    java.nio.file.Files.copy(
        folder.resolve("text_encoder.onnx"),
        folder.resolve("segmenter.onnx"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    BundleFileException e =
        assertThrows(
            BundleFileException.class,
            () ->
                DiffrisModel.open(
                    ModelBundle.open(folder), SessionSettings.of(ExecutionProvider.CPU)));
    assertTrue(
        e.getMessage()
            .startsWith(
                "segmenter.onnx: input 'text_features' not found; the graph's"
                    + " inputs are [input_ids]"),
        e.getMessage());
  }

  @Test
  void aZippedBundleRunsLikeTheFolder() throws IOException {
    Path folder = temp.resolve("bundle");
    Path zip = temp.resolve("bundle.zip");
    try (java.util.zip.ZipOutputStream z =
            new java.util.zip.ZipOutputStream(java.nio.file.Files.newOutputStream(zip));
        java.util.stream.Stream<Path> files = java.nio.file.Files.walk(folder)) {
      for (Path f : (Iterable<Path>) files.filter(java.nio.file.Files::isRegularFile)::iterator) {
        z.putNextEntry(
            new java.util.zip.ZipEntry(folder.relativize(f).toString().replace('\\', '/')));
        z.write(java.nio.file.Files.readAllBytes(f));
        z.closeEntry();
      }
    }
    RasterArray raster = raster(90, 70);
    try (DiffrisModel zipped =
        DiffrisModel.open(ModelBundle.open(zip), SessionSettings.of(ExecutionProvider.CPU))) {
      float[] out = new float[90 * 70];
      TiledSegmenter.forModel(zipped.description())
          .build()
          .run(
              raster,
              zipped.forQuery("car"),
              (first, h, p, v) -> System.arraycopy(p, 0, out, first * 90, p.length));
      assertArrayEquals(
          segment(TiledSegmenter.forModel(bundle.description()).build(), raster, "car"), out);
    }
  }

  @Test
  void providerSpellings() {
    assertEquals(ExecutionProvider.cuda(2), ExecutionProvider.parse(" CUDA:2 "));
    assertEquals(ExecutionProvider.cuda(0), ExecutionProvider.parse("cuda"));
    assertEquals(ExecutionProvider.CPU, ExecutionProvider.parse("cpu"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ExecutionProvider.parse("tpu"));
    assertEquals(
        "execution provider 'tpu' is not known; use cpu, cuda, cuda:N (N = GPU index, 0 or"
            + " more) or auto",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ExecutionProvider.parse("cuda:-1"));
  }
}
