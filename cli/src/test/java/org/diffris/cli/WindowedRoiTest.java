package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.diffris.cli.testing.Scenes;
import org.diffris.cli.testing.TestBundle;
import org.diffris.pipeline.AreaOfInterest;
import org.diffris.pipeline.RasterInput;
import org.diffris.pipeline.RasterWindows;
import org.diffris.pipeline.SampleType;
import org.diffris.pipeline.SegmentOptions;
import org.diffris.pipeline.SegmentationPlan;
import org.diffris.pipeline.Segmenter;
import org.diffris.pipeline.WindowPiece;
import org.diffris.pipeline.WindowPieces;
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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.locationtech.jts.io.WKTReader;

/**
 * A raster with an roi run in windows (as the Spark job runs it, through the pipeline's calls)
 * gives the regions the whole raster gives with that roi, stored north-up or south-up: only the
 * cores the roi holds pixels of are run, and no window reads the rows between the roi's two
 * bands (a source that fails on them would fail the run). Analytic bundle: the answer is the red
 * rectangles.
 */
class WindowedRoiTest {
  // 512 x 512 px of 1 m from (500000, 5300000): bands of rows 0-80 and 432-512.
  private static final String ROI =
      "MULTIPOLYGON (((500000 5300000, 500512 5300000, 500512 5299920, 500000 5299920, 500000"
          + " 5300000)), ((500000 5299568, 500512 5299568, 500512 5299488, 500000 5299488, 500000"
          + " 5299568)))";
  private static final int SIDE = 128;
  // Cores of rows 0-128 and 384-512 read 69 px more round them: rows 0-197 and 315-512.
  private static final int FORBIDDEN_FROM = 200;
  private static final int FORBIDDEN_TO = 312;
  @TempDir static Path dir;
  static Segmenter segmenter;

  @BeforeAll
  static void load() throws IOException {
    segmenter =
        Segmenter.open(
            ModelBundle.open(TestBundle.write(dir.resolve("bundle"), 64)),
            SessionSettings.of(ExecutionProvider.CPU));
  }

  @AfterAll
  static void close() {
    segmenter.close();
  }

  /** The picture north-up, row-major RGB. */
  private static float[] picture() {
    float[] rgb = new float[3 * 512 * 512];
    int[][] red = {{100, 30, 60, 40}, {300, 60, 60, 40}, {200, 450, 60, 40}, {250, 250, 40, 40}};
    for (int r = 0; r < 512; r++) {
      for (int c = 0; c < 512; c++) {
        Color colour = Scenes.GROUND;
        for (int[] box : red) {
          if (c >= box[0] && c < box[0] + box[2] && r >= box[1] && r < box[1] + box[3]) {
            colour = Scenes.RED;
          }
        }
        int i = 3 * (r * 512 + c);
        rgb[i] = colour.getRed();
        rgb[i + 1] = colour.getGreen();
        rgb[i + 2] = colour.getBlue();
      }
    }
    return rgb;
  }

  /** The picture stored north-up or south-up; reading the forbidden rows fails when guarded. */
  private static RasterInput raster(boolean southUp, boolean guarded) {
    float[] rgb = picture();
    RasterSource source =
        new RasterSource() {
          @Override
          public int width() {
            return 512;
          }

          @Override
          public int height() {
            return 512;
          }

          @Override
          public int bandCount() {
            return 3;
          }

          @Override
          public void read(int x, int y, int w, int h, int[] bands, float[] dest)
              throws IOException {
            if (guarded && y < FORBIDDEN_TO && y + h > FORBIDDEN_FROM) {
              throw new IOException("rows " + y + "-" + (y + h) + " read");
            }
            for (int b = 0; b < bands.length; b++) {
              for (int r = 0; r < h; r++) {
                int row = southUp ? 511 - (y + r) : y + r;
                for (int c = 0; c < w; c++) {
                  dest[(b * h + r) * w + c] = rgb[3 * (row * 512 + x + c) + bands[b]];
                }
              }
            }
          }
        };
    PixelToWorld t =
        southUp
            ? new PixelToWorld(500000, 1, 0, 5299488, 0, 1)
            : new PixelToWorld(500000, 1, 0, 5300000, 0, -1);
    return new RasterInput(source, t, AreaModel.planar(1), SampleType.BYTE, List.of(), 32633);
  }

  private static SegmentationPlan plan(RasterInput raster, boolean windows) throws Exception {
    SegmentOptions.Builder options = SegmentOptions.builder("red things");
    AreaOfInterest.Crop crop =
        AreaOfInterest.of(new WKTReader().read(ROI), "roi").apply(raster, "EPSG:32633", options);
    return windows
        ? segmenter.planInWindows(crop.input(), options.build(), SIDE)
        : segmenter.plan(crop.input(), options.build());
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void windowsTheRoiHoldsGiveTheWholeRastersRegionsAndTheOthersAreNeverRead(boolean southUp)
      throws Exception {
    SegmentationPlan whole = plan(raster(southUp, false), false);
    List<VectorizedRegion> expected = new ArrayList<>();
    whole.run(expected::add, null, (d, t) -> {}, () -> false);
    assertEquals(3, expected.size(), "the middle rectangle lies outside the roi");

    SegmentationPlan plan = plan(raster(southUp, true), true);
    List<VectorizedRegion> got = new ArrayList<>();
    List<WindowPiece> open = new ArrayList<>();
    int run = 0;
    for (PixelBounds core : RasterWindows.cores(512, 512, SIDE)) {
      if (!plan.needs(core)) {
        continue;
      }
      run++;
      plan.window(core)
          .run(
              piece -> {
                if (piece.open()) {
                  open.add(piece);
                } else {
                  got.add(plan.region(piece));
                }
              },
              (d, t) -> {},
              () -> false);
    }
    assertEquals(2 * 4, run, "the first and last rows of cores");
    assertFalse(open.isEmpty(), "a rectangle across a core side was cut and merged");
    WindowPieces.merge(open, plan.connectivity()).forEach(p -> got.add(plan.region(p)));

    Comparator<VectorizedRegion> order =
        Comparator.comparingDouble(
                (VectorizedRegion r) -> r.geometry().getEnvelopeInternal().getMinY())
            .thenComparingDouble(r -> r.geometry().getEnvelopeInternal().getMinX());
    expected.sort(order);
    got.sort(order);
    assertEquals(expected.size(), got.size());
    int atEdge = 0;
    for (int i = 0; i < expected.size(); i++) {
      VectorizedRegion e = expected.get(i);
      VectorizedRegion g = got.get(i);
      assertTrue(e.geometry().equalsExact(g.geometry()), e.geometry() + " / " + g.geometry());
      assertEquals(e.pixelCount(), g.pixelCount());
      assertEquals(e.meanProbability(), g.meanProbability(), 1e-6);
      assertEquals(whole.atEdge(e), plan.atEdge(g));
      atEdge += whole.atEdge(e) ? 1 : 0;
    }
    assertTrue(atEdge >= 1, "the rectangle the roi's side cuts is at_edge");
  }
}
