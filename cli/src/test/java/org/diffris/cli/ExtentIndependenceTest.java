package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.Gdal;
import org.diffris.cli.testing.GeoPackageContents;
import org.diffris.cli.testing.TestBundle;
import org.diffris.cli.testing.TestRasters;
import org.diffris.geotools.GeoTiffRaster;
import org.diffris.vectorizer.PixelToWorld;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;

/**
 * The answer does not depend on the extent: a crop of a sample scene (cut by GDAL, as a user
 * would) gives exactly the whole scene's polygons wherever they lie more than the edge margin
 * inside the crop (geometry exactly, score within 1e-6, same pixel count), marks every polygon
 * closer to its edge {@code at_edge}, and gives the whole scene's probabilities inside the
 * margin. Offsets are odd, even and on the tile grid (96 raster pixels = 48 model pixels, the
 * tile step of diffris-tiny at 0.5 m). The default run checks the port scene on two queries; the
 * slow one ({@code -Pslow}) every scene and query of {@code sample-data/scenes/queries.tsv}.
 */
class ExtentIndependenceTest {
  /** diffris-tiny's tile, in model pixels, and the scenes' model pixels per raster pixel. */
  private static final int TILE = 64;

  private static final double FACTOR = 0.5;

  /** The documented edge margin (SegmentationPlan.edgeMargin), in raster pixels. */
  private static final int MARGIN = (int) Math.ceil((TILE + 2) / FACTOR) + 3;

  private static final int CROP = 1300;
  private static final int[][] OFFSETS = {{101, 77}, {256, 128}, {192, 96}};

  @TempDir static Path dir;

  private static final Map<String, Path> WHOLE = new HashMap<>();
  private static final AtomicInteger RUNS = new AtomicInteger();

  @BeforeAll
  static void needs() {
    assumeTrue(TestBundle.embeddedExists(), "the embedded bundle is not built");
    assumeTrue(Gdal.onPath("gdal_translate"), "gdal_translate not on PATH (Debian's gdal-bin)");
  }

  @Test
  void cropsOfThePortSceneGiveItsPolygonsInsideTheMargin() throws Exception {
    int matched = 0;
    for (String query : List.of("white storage tanks", "ships")) {
      for (int[] offset : new int[][] {OFFSETS[0], OFFSETS[2]}) {
        matched += compare("port.tif", query, offset[0], offset[1]);
      }
    }
    assertTrue(matched >= 10, matched + " interior polygons compared");
  }

  @Test
  void aCropsProbabilitiesEqualTheWholeScenesInsideTheMargin() throws Exception {
    Path scene = TestBundle.root().resolve("sample-data/scenes/port.tif");
    Path crop = crop(scene, 101, 77);
    Path wholeP = dir.resolve("whole-p.tif");
    Path cropP = dir.resolve("crop-p.tif");
    segment(scene, "white storage tanks", dir.resolve("pw.gpkg"), wholeP);
    segment(crop, "white storage tanks", dir.resolve("pc.gpkg"), cropP);
    float[] whole = TestRasters.firstBand(wholeP);
    float[] part = TestRasters.firstBand(cropP);
    int wholeWidth = 1792;
    int compared = 0;
    int differentAtEdge = 0;
    for (int r = 0; r < CROP; r++) {
      for (int c = 0; c < CROP; c++) {
        float expected = whole[(77 + r) * wholeWidth + 101 + c];
        float actual = part[r * CROP + c];
        boolean inside = Math.min(Math.min(c, r), Math.min(CROP - 1 - c, CROP - 1 - r)) >= MARGIN;
        if (inside) {
          assertEquals(expected, actual, 1e-6f, "crop pixel " + c + "," + r);
          compared++;
        } else if (Math.abs(expected - actual) > 1e-6f) {
          differentAtEdge++;
        }
      }
    }
    assertEquals((CROP - 2 * MARGIN) * (CROP - 2 * MARGIN), compared);
    // The margin is needed: the model sees less context near the crop's edge.
    assertTrue(differentAtEdge > 0, "no pixel differs at the crop's edge");
  }

  @Test
  @Tag("slow")
  void everySceneQueryAndOffset() throws Exception {
    Path scenes = TestBundle.root().resolve("sample-data/scenes");
    StringBuilder report = new StringBuilder();
    int matched = 0;
    for (String line : Files.readAllLines(scenes.resolve("queries.tsv"), StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t");
      for (int[] offset : OFFSETS) {
        int n = compare(f[0], f[1], offset[0], offset[1]);
        matched += n;
        report.append(
            String.format(
                Locale.ROOT,
                "%-12s %-22s offset %3d,%3d: %d interior polygons identical%n",
                f[0],
                f[1],
                offset[0],
                offset[1],
                n));
      }
    }
    System.out.print(report);
    assertTrue(matched >= 100, matched + " interior polygons compared");
  }

  /**
   * Segments the scene and its crop at {@code (ox, oy)} and checks them against each other;
   * returns how many polygons lay inside the margin (all found identical).
   */
  private static int compare(String sceneName, String query, int ox, int oy) throws Exception {
    Path scene = TestBundle.root().resolve("sample-data/scenes").resolve(sceneName);
    String key = sceneName + "|" + query;
    Path wholeOut = WHOLE.get(key);
    if (wholeOut == null) {
      wholeOut = dir.resolve("whole-" + WHOLE.size() + ".gpkg");
      segment(scene, query, wholeOut, null);
      WHOLE.put(key, wholeOut);
    }
    Path cropOut = dir.resolve("crop-" + RUNS.incrementAndGet() + ".gpkg");
    segment(crop(scene, ox, oy), query, cropOut, null);
    List<GeoPackageContents.Feature> whole = GeoPackageContents.read(wholeOut).features;
    List<GeoPackageContents.Feature> part = GeoPackageContents.read(cropOut).features;
    PixelToWorld grid;
    try (GeoTiffRaster raster = GeoTiffRaster.open(scene)) {
      grid = raster.pixelToWorld();
    }
    String where = sceneName + " '" + query + "' crop at " + ox + "," + oy;
    for (GeoPackageContents.Feature feature : part) {
      int distance = distanceToCropSides(feature.geometry(), grid, ox, oy);
      assertEquals(
          distance < MARGIN,
          atEdge(feature),
          where + ": at_edge of a polygon " + distance + " pixels from the crop's edge");
      if (distance >= MARGIN) {
        assertNotNull(
            find(whole, feature), where + ": interior polygon not in the whole scene's answer");
      }
    }
    int interior = 0;
    for (GeoPackageContents.Feature feature : whole) {
      if (distanceToCropSides(feature.geometry(), grid, ox, oy) >= MARGIN) {
        interior++;
        GeoPackageContents.Feature same = find(part, feature);
        assertNotNull(same, where + ": the whole scene's polygon is missing from the crop's");
        assertEquals(feature.number("score"), same.number("score"), 1e-6, where);
        assertEquals(feature.number("pixels"), same.number("pixels"), 0, where);
      }
    }
    return interior;
  }

  private static boolean atEdge(GeoPackageContents.Feature feature) {
    return ((Number) feature.attributes().get("at_edge")).intValue() != 0;
  }

  private static GeoPackageContents.Feature find(
      List<GeoPackageContents.Feature> features, GeoPackageContents.Feature wanted) {
    Geometry g = wanted.geometry().norm();
    for (GeoPackageContents.Feature f : features) {
      if (f.geometry().norm().equalsExact(g)) {
        return f;
      }
    }
    return null;
  }

  /** Pixels between a polygon and the nearest side of the crop, in the whole scene's grid. */
  private static int distanceToCropSides(Geometry g, PixelToWorld grid, int ox, int oy) {
    Envelope e = g.getEnvelopeInternal();
    double[] a = grid.toPixel(e.getMinX(), e.getMaxY());
    double[] b = grid.toPixel(e.getMaxX(), e.getMinY());
    long minCol = Math.round(a[0]) - ox;
    long minRow = Math.round(a[1]) - oy;
    long maxCol = Math.round(b[0]) - ox;
    long maxRow = Math.round(b[1]) - oy;
    return (int) Math.min(Math.min(minCol, CROP - maxCol), Math.min(minRow, CROP - maxRow));
  }

  private static Path crop(Path scene, int ox, int oy) throws Exception {
    Path out = dir.resolve("crop-" + scene.getFileName() + "-" + ox + "-" + oy + ".tif");
    if (!Files.exists(out)) {
      List<String> command = new ArrayList<>(List.of("gdal_translate", "-q", "-srcwin"));
      command.addAll(List.of("" + ox, "" + oy, "" + CROP, "" + CROP));
      command.addAll(List.of(scene.toString(), out.toString()));
      Gdal.run(command);
    }
    return out;
  }

  private static void segment(Path raster, String query, Path out, Path probabilities) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "segment",
                "--raster",
                raster.toString(),
                "--query",
                query,
                "--out",
                out.toString(),
                "--device",
                "cpu"));
    if (probabilities != null) {
      args.addAll(List.of("--probabilities", probabilities.toString()));
    }
    Cli run = Cli.run(args.toArray(String[]::new));
    assertEquals(0, run.exitCode, run.err);
  }
}
