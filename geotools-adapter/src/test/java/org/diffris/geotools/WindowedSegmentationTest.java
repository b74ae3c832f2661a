package org.diffris.geotools;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.diffris.pipeline.InvalidInputException;
import org.diffris.pipeline.RasterInput;
import org.diffris.pipeline.RasterWindows;
import org.diffris.pipeline.SampleType;
import org.diffris.pipeline.SegmentOptions;
import org.diffris.pipeline.SegmentationPlan;
import org.diffris.pipeline.Segmenter;
import org.diffris.pipeline.WindowPiece;
import org.diffris.pipeline.WindowPieces;
import org.diffris.pipeline.WindowPlan;
import org.diffris.runtime.ModelBundle;
import org.diffris.runtime.onnx.ExecutionProvider;
import org.diffris.runtime.onnx.SessionSettings;
import org.diffris.runtime.tiling.RasterSource;
import org.diffris.vectorizer.AreaModel;
import org.diffris.vectorizer.PixelBounds;
import org.diffris.vectorizer.PixelToWorld;
import org.diffris.vectorizer.VectorizedRegion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A sample scene run window by window (as a distributed job runs it) gives the regions the whole
 * scene gives in one run: the same count, every geometry coordinate for coordinate, pixels, area,
 * score and at_edge. The core sides cut objects, which are merged back.
 */
class WindowedSegmentationTest {
  private static final Path SCENES = Path.of("..", "sample-data", "scenes");
  private static Segmenter segmenter;

  @BeforeAll
  static void load() throws IOException {
    segmenter =
        Segmenter.open(
            ModelBundle.open(Path.of("..", "sample-data", "models", "diffris-tiny")),
            SessionSettings.of(ExecutionProvider.CPU));
  }

  @AfterAll
  static void close() {
    segmenter.close();
  }

  @ParameterizedTest
  @CsvSource({
    "port.tif, white storage tanks, 500, 0",
    "airport.tif, roads, 448, 0",
    "town.tif, trees, 700, 20",
  })
  void windowsMergeIntoTheWholeScenesRegions(String scene, String query, int side, double minArea)
      throws IOException {
    try (GeoTiffRaster raster = GeoTiffRaster.open(SCENES.resolve(scene))) {
      RasterInput input = raster.input();
      SegmentationPlan plan =
          segmenter.plan(input, SegmentOptions.builder(query).minArea(minArea).build());
      List<VectorizedRegion> whole = new ArrayList<>();
      plan.run(whole::add, null, (done, total) -> {}, () -> false);

      List<VectorizedRegion> windowed = new ArrayList<>();
      List<WindowPiece> open = new ArrayList<>();
      List<PixelBounds> cores = RasterWindows.cores(input.width(), input.height(), side);
      assertTrue(cores.size() >= 9, "several windows");
      for (PixelBounds core : cores) {
        WindowPlan window = plan.window(core);
        window.run(
            piece -> {
              if (piece.open()) {
                open.add(piece);
              } else {
                windowed.add(plan.region(piece));
              }
            },
            (done, total) -> {},
            () -> false);
      }
      List<WindowPiece> merged = WindowPieces.merge(open, plan.connectivity());
      assertTrue(open.size() > merged.size(), "some objects were cut by a core side and merged");
      merged.forEach(p -> windowed.add(plan.region(p)));
      windowed.removeIf(r -> !plan.keeps(r));

      assertEquals(whole.size(), windowed.size(), "regions");
      Comparator<VectorizedRegion> order =
          Comparator.comparingInt((VectorizedRegion r) -> r.pixelBounds().minRow())
              .thenComparingInt(r -> r.pixelBounds().minColumn())
              .thenComparingLong(VectorizedRegion::pixelCount);
      whole.sort(order);
      windowed.sort(order);
      for (int i = 0; i < whole.size(); i++) {
        VectorizedRegion w = whole.get(i);
        VectorizedRegion s = windowed.get(i);
        assertEquals(w.pixelBounds(), s.pixelBounds());
        assertEquals(w.pixelCount(), s.pixelCount());
        assertTrue(
            w.geometry().equalsExact(s.geometry()), () -> w.geometry() + " / " + s.geometry());
        assertEquals(w.geometry().getSRID(), s.geometry().getSRID());
        assertEquals(w.areaSquareMetres(), s.areaSquareMetres(), 1e-9 * w.areaSquareMetres());
        assertEquals(w.meanProbability(), s.meanProbability(), 1e-6);
        assertEquals(plan.atEdge(w), plan.atEdge(s));
      }
    }
  }

  @Test
  void aRasterTooWideForTheHeapInOnePieceFitsInWindows() {
    // 4,000,000 x 200 pixels at 0.5 m: one run needs its rows' width in memory, a window only
    // its own; nothing is read before either check.
    RasterSource huge =
        new RasterSource() {
          @Override
          public int width() {
            return 4_000_000;
          }

          @Override
          public int height() {
            return 200;
          }

          @Override
          public int bandCount() {
            return 3;
          }

          @Override
          public void read(int x, int y, int w, int h, int[] bands, float[] dest) {
            throw new AssertionError("planning reads no pixel of an 8-bit raster");
          }
        };
    RasterInput input =
        new RasterInput(
            huge,
            new PixelToWorld(400000, 0.5, 0, 5000000, 0, -0.5),
            AreaModel.planar(1),
            SampleType.BYTE,
            List.of(),
            32633);
    SegmentOptions options = SegmentOptions.builder("white storage tanks").build();
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> segmenter.plan(input, options));
    assertTrue(e.getMessage().contains("Java heap"), e.getMessage());
    SegmentationPlan windowed =
        assertDoesNotThrow(() -> segmenter.planInWindows(input, options, 2048));
    assertEquals(
        new PixelBounds(0, 0, 2048 + windowed.edgeMargin(), 200),
        windowed.window(new PixelBounds(0, 0, 2048, 200)).read());
  }
}
