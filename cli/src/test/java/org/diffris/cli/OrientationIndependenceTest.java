package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.Gdal;
import org.diffris.cli.testing.GeoPackageContents;
import org.diffris.cli.testing.TestBundle;
import org.diffris.cli.testing.TestRasters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;

/**
 * The same picture stored another way gives the same answer: copies of a sample scene stored
 * south-up, mirrored or both (GDAL files whose y pixel size is positive, or x negative) give the
 * north-up file's polygons and probabilities bit for bit, since reading them reversed is an exact
 * index mapping; copies with pixels of 0.5 x 1 m or 1 x 0.5 m (two rows or columns averaged by
 * GDAL) are seen square at the model's GSD and give polygons close to the scene's own. The
 * default run checks a crop of the port scene; the slow one every query of
 * {@code sample-data/scenes/queries.tsv} against its ground truth.
 */
class OrientationIndependenceTest {
  static final String PYTHON = "/usr/bin/python3";

  /** Writes the raster {@code argv[1]} to {@code argv[2]} with its columns and/or rows reversed. */
  static final String REVERSE =
      String.join(
          "\n",
          "import sys",
          "from osgeo import gdal",
          "src, dst, cols, rows = sys.argv[1], sys.argv[2], sys.argv[3] == '1', sys.argv[4] == '1'",
          "ds = gdal.Open(src)",
          "a = ds.ReadAsArray()",
          "a = a.reshape((ds.RasterCount, ds.RasterYSize, ds.RasterXSize))",
          "if cols: a = a[:, :, ::-1]",
          "if rows: a = a[:, ::-1, :]",
          "x0, pw, rr, y0, cr, ph = ds.GetGeoTransform()",
          "w, h = ds.RasterXSize, ds.RasterYSize",
          "if cols: x0, pw = x0 + w * pw, -pw",
          "if rows: y0, ph = y0 + h * ph, -ph",
          "out = gdal.GetDriverByName('GTiff').Create(dst, w, h, ds.RasterCount,"
              + " ds.GetRasterBand(1).DataType)",
          "out.SetGeoTransform((x0, pw, rr, y0, cr, ph))",
          "out.SetProjection(ds.GetProjection())",
          "for b in range(ds.RasterCount):",
          "    out.GetRasterBand(b + 1).WriteArray(a[b])",
          "out = None");

  /** The storage orders: name, then whether columns and rows are reversed. */
  static final Map<String, boolean[]> ORDERS = new LinkedHashMap<>();

  static {
    ORDERS.put("south-up", new boolean[] {false, true});
    ORDERS.put("mirrored", new boolean[] {true, false});
    ORDERS.put("south-up and mirrored", new boolean[] {true, true});
  }

  /** Pixels not square on the ground: name, then gdal_translate options. */
  static final Map<String, List<String>> OBLONG = new LinkedHashMap<>();

  static {
    OBLONG.put("0.5 x 1 m", List.of("-r", "average", "-outsize", "100%", "50%"));
    OBLONG.put("1 x 0.5 m", List.of("-r", "average", "-outsize", "50%", "100%"));
  }

  @TempDir static Path dir;

  @BeforeAll
  static void needs() throws Exception {
    assumeTrue(TestBundle.embeddedExists(), "the embedded bundle is not built");
    assumeTrue(Gdal.onPath("gdal_translate"), "gdal_translate not on PATH (Debian's gdal-bin)");
    boolean python;
    try {
      Gdal.run(List.of(PYTHON, "-c", "from osgeo import gdal"));
      python = true;
    } catch (java.io.IOException e) {
      python = false;
    }
    assumeTrue(python, PYTHON + " cannot import osgeo (Debian's python3-gdal)");
  }

  @Test
  void aCropStoredSouthUpOrMirroredGivesTheNorthUpAnswerBitForBit() throws Exception {
    Path crop = northUp();
    GeoPackageContents expected = GeoPackageContents.read(dir.resolve("north-up.gpkg"));
    float[] probabilities = TestRasters.firstBand(dir.resolve("north-up-p.tif"));
    assertTrue(expected.features.size() >= 5, expected.features.size() + " polygons");
    int n = 0;
    for (Map.Entry<String, boolean[]> order : ORDERS.entrySet()) {
      boolean[] reversed = order.getValue();
      Path copy = reverse(crop, "o" + n + ".tif", reversed[0], reversed[1]);
      segment(copy, "white storage tanks", "o" + n, true);
      String name = order.getKey();
      assertEquals(
          shapes(expected),
          shapes(GeoPackageContents.read(dir.resolve("o" + n + ".gpkg"))),
          name + ": polygons");
      // The probability file is on the copy's own grid: turned back, it is the north-up one.
      float[] actual = TestRasters.firstBand(dir.resolve("o" + n + "-p.tif"));
      assertArrayEquals(
          probabilities, turned(actual, 384, 384, reversed[0], reversed[1]), 0f, name);
      n++;
    }
  }

  @Test
  void aCropWithOblongPixelsIsSeenSquare() throws Exception {
    Path crop = northUp();
    Geometry expected = union(GeoPackageContents.read(dir.resolve("north-up.gpkg")));
    int n = 0;
    // One of the two in the default run; the slow run has both.
    for (Map.Entry<String, List<String>> oblong : OBLONG.entrySet().stream().limit(1).toList()) {
      Path copy =
          Gdal.translate(
              crop, dir.resolve("b" + n + ".tif"), oblong.getValue().toArray(String[]::new));
      Map<String, String> summary = segment(copy, "white storage tanks", "b" + n, false);
      Geometry actual = union(GeoPackageContents.read(dir.resolve("b" + n + ".gpkg")));
      double iou = iou(expected, actual);
      // Polygons follow the copy's coarser pixels (half a metre off along one axis at most) and
      // GDAL rounds the averages to 8 bits; a picture seen stretched 2:1 scores far less.
      assertTrue(iou >= 0.95, oblong.getKey() + ": IoU " + iou + " " + summary);
      n++;
    }
  }

  @Test
  @Tag("slow")
  void everySceneQueryStoredEveryWay() throws Exception {
    Path scenes = TestBundle.root().resolve("sample-data/scenes");
    List<String[]> queries = new ArrayList<>();
    for (String line : Files.readAllLines(scenes.resolve("queries.tsv"), StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        queries.add(line.split("\t"));
      }
    }
    StringBuilder report = new StringBuilder();
    Map<String, Double> means = new LinkedHashMap<>();
    List<String> ways = new ArrayList<>(List.of("north-up"));
    ways.addAll(ORDERS.keySet());
    ways.addAll(OBLONG.keySet());
    for (String way : ways) {
      double sum = 0;
      for (int q = 0; q < queries.size(); q++) {
        String[] f = queries.get(q);
        Path raster = scenes.resolve(f[0]);
        Path copy = dir.resolve(way.replace(' ', '_') + "-" + f[0]);
        if (ORDERS.containsKey(way) && !Files.exists(copy)) {
          boolean[] reversed = ORDERS.get(way);
          reverse(raster, copy.getFileName().toString(), reversed[0], reversed[1]);
        } else if (OBLONG.containsKey(way) && !Files.exists(copy)) {
          Gdal.translate(raster, copy, OBLONG.get(way).toArray(String[]::new));
        }
        raster = way.equals("north-up") ? raster : copy;
        String out = "s" + way.replace(' ', '_') + q;
        segment(raster, f[1], out, false);
        GeoPackageContents answer = GeoPackageContents.read(dir.resolve(out + ".gpkg"));
        if (ORDERS.containsKey(way)) {
          assertEquals(
              shapes(GeoPackageContents.read(dir.resolve("snorth-up" + q + ".gpkg"))),
              shapes(answer),
              way + ": " + f[0] + " " + f[1]);
        }
        sum += SegmentSampleScenesTest.iou(scenes.resolve(f[2]), answer);
      }
      means.put(way, sum / queries.size());
      report.append(String.format(Locale.ROOT, "%-24s mean IoU %.4f%n", way, sum / queries.size()));
    }
    System.out.print(report);
    for (String way : OBLONG.keySet()) {
      assertEquals(means.get("north-up"), means.get(way), 0.02, way + "\n" + report);
    }
  }

  /** The crop, segmented once for both tests: north-up.gpkg and north-up-p.tif. */
  static Path northUp() throws Exception {
    Path crop = crop("crop.tif");
    if (!Files.exists(dir.resolve("north-up.gpkg"))) {
      segment(crop, "white storage tanks", "north-up", true);
    }
    return crop;
  }

  /** A 384 x 384 crop of the port scene with white storage tanks in it. */
  static Path crop(String name) throws Exception {
    Path crop = dir.resolve(name);
    if (!Files.exists(crop)) {
      Gdal.translate(
          TestBundle.root().resolve("sample-data/scenes/port.tif"),
          crop,
          "-srcwin",
          "768",
          "128",
          "384",
          "384");
    }
    return crop;
  }

  static Path reverse(Path source, String name, boolean columns, boolean rows) throws Exception {
    Path out = dir.resolve(name);
    Gdal.run(
        List.of(
            PYTHON,
            "-c",
            REVERSE,
            source.toString(),
            out.toString(),
            columns ? "1" : "0",
            rows ? "1" : "0"));
    return out;
  }

  /** A band stored with its columns and/or rows reversed, put back in order. */
  static float[] turned(float[] band, int w, int h, boolean columns, boolean rows) {
    float[] out = new float[band.length];
    for (int r = 0; r < h; r++) {
      for (int c = 0; c < w; c++) {
        out[(rows ? h - 1 - r : r) * w + (columns ? w - 1 - c : c)] = band[r * w + c];
      }
    }
    return out;
  }

  /**
   * The polygons as normalized text, in order: equal sets mean the same answer, bit for bit. The
   * provenance (each file's name, each run's id) is left out: it differs by design.
   */
  static TreeSet<String> shapes(GeoPackageContents contents) {
    TreeSet<String> shapes = new TreeSet<>();
    for (GeoPackageContents.Feature f : contents.features) {
      Geometry g = f.geometry().copy();
      g.normalize();
      java.util.Map<String, Object> answer = new java.util.TreeMap<>(f.attributes());
      answer.remove("source");
      answer.remove("run_id");
      shapes.add(g.toText() + " " + answer);
    }
    return shapes;
  }

  static Geometry union(GeoPackageContents contents) {
    List<Geometry> parts = new ArrayList<>();
    contents.features.forEach(f -> parts.add(f.geometry()));
    return new GeometryFactory().buildGeometry(parts).union();
  }

  static double iou(Geometry a, Geometry b) {
    double union = a.union(b).getArea();
    return union == 0 ? 1 : a.intersection(b).getArea() / union;
  }

  /** Runs segment, writing NAME.gpkg (and NAME-p.tif, the probabilities, when asked). */
  static Map<String, String> segment(
      Path raster, String query, String name, boolean probabilities) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "segment",
                "--raster",
                raster.toString(),
                "--query",
                query,
                "--out",
                dir.resolve(name + ".gpkg").toString(),
                "--device",
                "cpu"));
    if (probabilities) {
      args.addAll(List.of("--probabilities", dir.resolve(name + "-p.tif").toString()));
    }
    Cli run = Cli.run(args.toArray(String[]::new));
    assertEquals(0, run.exitCode, run.err);
    return run.summary();
  }
}
