package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.GeoPackageContents;
import org.diffris.cli.testing.Scenes;
import org.diffris.cli.testing.TestBundle;
import org.diffris.runtime.tiling.TileGrid;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.gce.geotiff.GeoTiffReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Polygon;

/**
 * {@code diffris segment} end to end with the analytic test bundle, whose answer is known per
 * pixel: the red rectangles of {@link Scenes#twoRedRectangles}, exactly, whatever the tiling.
 */
class SegmentCommandTest {
  @TempDir static Path shared;
  static Path bundle;
  static Path scene;
  @TempDir Path out;

  @BeforeAll
  static void fixtures() throws Exception {
    bundle = TestBundle.write(shared.resolve("bundle"), 64);
    scene = Scenes.twoRedRectangles(shared.resolve("scene.tif"));
  }

  private Cli segment(String... extra) {
    return Cli.segment(scene, "red things", bundle, extra);
  }

  @Test
  void geoPackageHasTheRectanglesWithAttributes() throws Exception {
    Path gpkg = out.resolve("red.gpkg");
    Cli run = segment("--out", gpkg.toString());
    assertEquals(0, run.exitCode, run.err);
    Map<String, String> summary = run.summary();
    assertEquals("2", summary.get("polygons"));
    assertEquals("CPU", summary.get("provider"));
    // 200 x 150 px of 1 m from (500000, 5300000) with 64 px tiles and 16 px overlap, on the
    // world grid: tile columns from 500000 / 48, rows from -5300000 / 48 (rounded down).
    assertEquals(
        String.valueOf(new TileGrid(200, 150, 64, 16, 500000, -5300000).tileCount()),
        summary.get("tiles"));
    assertEquals("20", summary.get("tiles")); // 5 x 4, where the raster's corner grid had 4 x 3
    // Both rectangles lie within the edge margin (64 + 2 + 3 pixels) of the 200 x 150 raster.
    assertEquals("2", summary.get("at_edge"));
    assertTrue(Double.parseDouble(summary.get("model_ms")) >= 0);
    assertTrue(Long.parseLong(summary.get("total_ms")) > 0);
    assertEquals("EPSG:32633", summary.get("crs"));
    assertTrue(run.out.contains("execution provider: CPU"), run.out);

    GeoPackageContents contents = GeoPackageContents.read(gpkg);
    assertEquals(32633, contents.organizationCode);
    assertEquals(
        List.of(
            "fid", "geom", "query", "score", "area", "pixels", "model", "at_edge", "source",
            "run_id"),
        contents.columns);
    // One run: the raster's file name and the run's id on every polygon, the id the summary says.
    for (GeoPackageContents.Feature f : contents.features) {
      assertEquals("scene.tif", f.attributes().get("source"));
      assertEquals(summary.get("run_id"), f.attributes().get("run_id"));
    }
    assertEquals(4, java.util.UUID.fromString(summary.get("run_id")).version());
    assertEquals(2, contents.features.size());
    // written as they complete (streaming): sort by area, the 60 x 50 rectangle first
    List<GeoPackageContents.Feature> features = new java.util.ArrayList<>(contents.features);
    features.sort(java.util.Comparator.comparingDouble(f -> -f.geometry().getArea()));
    GeoPackageContents.Feature big = features.get(0);
    assertEquals(
        new Envelope(500120, 500180, 5300000 - 130, 5300000 - 80),
        big.geometry().getEnvelopeInternal());
    assertEquals(3000, big.number("area"), 1e-9);
    assertEquals(3000, big.geometry().getArea(), 1e-9);
    assertEquals("red things", big.attributes().get("query"));
    assertEquals("analytic-test 0.0.1", big.attributes().get("model"));
    assertEquals(1, ((Number) big.attributes().get("at_edge")).intValue());
    // "red things" starts with the byte token 'r', id 81
    assertEquals(Scenes.probability(Scenes.RED, 81), big.number("score"), 1e-5);
    Polygon holed = (Polygon) features.get(1).geometry();
    assertEquals(1, holed.getNumInteriorRing());
    assertEquals(40 * 30 - 100, holed.getArea(), 1e-9);
    assertEquals(
        Scenes.RED_PIXELS,
        contents.features.stream().mapToDouble(f -> f.number("pixels")).sum(),
        0);
  }

  @Test
  void tilingDoesNotChangeThePolygons() throws Exception {
    Path a = out.resolve("a.gpkg");
    Path b = out.resolve("b.gpkg");
    assertEquals(0, segment("--out", a.toString()).exitCode);
    Cli small = segment("--out", b.toString(), "--tile", "32", "--overlap", "8", "--batch", "3");
    assertEquals(0, small.exitCode, small.err);
    assertTrue(Integer.parseInt(small.summary().get("tiles")) > 12);
    List<GeoPackageContents.Feature> fa = GeoPackageContents.read(a).features;
    List<GeoPackageContents.Feature> fb = GeoPackageContents.read(b).features;
    assertEquals(fa.size(), fb.size());
    for (int i = 0; i < fa.size(); i++) {
      assertTrue(fa.get(i).geometry().equalsExact(fb.get(i).geometry()));
    }
  }

  @Test
  void geoJsonIsWgs84WithAttributes() throws Exception {
    Path json = out.resolve("red.geojson");
    Cli run = segment("--out", json.toString(), "--min-area", "2000");
    assertEquals(0, run.exitCode, run.err);
    assertEquals("1", run.summary().get("polygons"));
    String text = Files.readString(json);
    assertTrue(text.contains("\"query\":\"red things\""), text);
    assertTrue(text.contains("\"model\":\"analytic-test 0.0.1\""), text);
    java.util.regex.Matcher score =
        java.util.regex.Pattern.compile("\"score\":([0-9.]+)").matcher(text);
    assertTrue(score.find(), text);
    assertEquals(Scenes.probability(Scenes.RED, 81), Double.parseDouble(score.group(1)), 1e-5);
    assertTrue(text.contains("\"area\":3000"), text);
    assertTrue(text.contains("\"source\":\"scene.tif\""), text);
    assertTrue(text.contains("\"run_id\":\"" + run.summary().get("run_id") + "\""), text);
    // UTM 33N at 5300 km north: longitude near 15 E, latitude near 47.8 N
    assertTrue(text.matches("(?s).*\\[15\\.0\\d+,47\\.8\\d+\\].*"), text);
  }

  @Test
  void probabilitiesAndPreviewAreWritten() throws Exception {
    Path gpkg = out.resolve("red.gpkg");
    Path tif = out.resolve("p.tif");
    Path png = out.resolve("p.png");
    Cli run =
        segment(
            "--out",
            gpkg.toString(),
            "--probabilities",
            tif.toString(),
            "--preview",
            png.toString());
    assertEquals(0, run.exitCode, run.err);
    GeoTiffReader reader = new GeoTiffReader(tif.toFile());
    try {
      GridCoverage2D coverage = reader.read(null);
      Raster r = coverage.getRenderedImage().getData();
      assertEquals(200, r.getWidth());
      assertEquals(150, r.getHeight());
      assertEquals(1, r.getNumBands());
      double red = Scenes.probability(Scenes.RED, 81);
      double ground = Scenes.probability(Scenes.GROUND, 81);
      assertEquals(red, r.getSampleFloat(130, 100, 0), 1e-5);
      assertEquals(ground, r.getSampleFloat(5, 5, 0), 1e-5);
      assertEquals(ground, r.getSampleFloat(28, 33, 0), 1e-5); // the hole
      assertEquals(500000, coverage.getEnvelope2D().getMinX(), 1e-9);
      assertEquals(5300000, coverage.getEnvelope2D().getMaxY(), 1e-9);
      assertEquals(
          "EPSG:32633",
          org.geotools
              .referencing
              .CRS
              .toSRS(coverage.getCoordinateReferenceSystem(), false)
              .replace("EPSG:", "EPSG:"));
      coverage.dispose(true);
    } finally {
      reader.dispose();
    }
    BufferedImage picture = ImageIO.read(png.toFile());
    assertEquals(200, picture.getWidth());
    assertEquals(150, picture.getHeight());
    // an outline pixel on the big rectangle's top edge is drawn yellow
    int rgb = picture.getRGB(150, 80) & 0xffffff;
    assertTrue((rgb >> 16 & 0xff) > 200 && (rgb >> 8 & 0xff) > 150, Integer.toHexString(rgb));
    // inside, away from edges, the image keeps its colour
    assertEquals(Scenes.RED.getRGB() & 0xffffff, picture.getRGB(150, 105) & 0xffffff);
  }

  @Test
  void sixteenBitRasterIsStretchedFromWholeRasterStatistics() throws Exception {
    // 2-98 % percentiles: band 1 maps ground to 0 and rectangles to 1; bands 2 and 3 are
    // constant and map to 0.5; the analytic model then finds the same rectangles
    Path scene16 = Scenes.twoRedRectangles16(out.resolve("scene16.tif"));
    Path gpkg = out.resolve("red16.gpkg");
    Cli run =
        Cli.run(
            "segment",
            "--raster",
            scene16.toString(),
            "--query",
            "red things",
            "--model",
            bundle.toString(),
            "--device",
            "cpu",
            "--out",
            gpkg.toString(),
            "--bands",
            "1,2,3");
    assertEquals(0, run.exitCode, run.err);
    assertEquals("2", run.summary().get("polygons"));
    assertEquals(
        Scenes.RED_PIXELS,
        GeoPackageContents.read(gpkg).features.stream().mapToDouble(f -> f.number("pixels")).sum(),
        0);
  }

  @Test
  void lonLatRasterIsResampledToTheModelGsdWithGeodesicAreas() throws Exception {
    // 1e-5 degree pixels at 47.8 N: about 0.75 x 1.11 m, each axis resampled to the model's 1 m
    // (resample= reports the columns' factor)
    BufferedImage picture = javax.imageio.ImageIO.read(scene.toFile());
    Path lonLat = out.resolve("lonlat.tif");
    org.geotools.coverage.grid.GridCoverage2D coverage =
        new org.geotools.coverage.grid.GridCoverageFactory()
            .create(
                "fixture",
                picture,
                new org.geotools.geometry.jts.ReferencedEnvelope(
                    15.0,
                    15.0 + 200e-5,
                    47.8,
                    47.8 + 150e-5,
                    org.geotools.referencing.crs.DefaultGeographicCRS.WGS84));
    org.geotools.gce.geotiff.GeoTiffWriter writer =
        new org.geotools.gce.geotiff.GeoTiffWriter(lonLat.toFile());
    writer.write(coverage, null);
    writer.dispose();
    Path gpkg = out.resolve("lonlat.gpkg");
    Cli run =
        Cli.run(
            "segment",
            "--raster",
            lonLat.toString(),
            "--query",
            "red things",
            "--model",
            bundle.toString(),
            "--device",
            "cpu",
            "--out",
            gpkg.toString());
    assertEquals(0, run.exitCode, run.err);
    Map<String, String> summary = run.summary();
    assertEquals("EPSG:4326", summary.get("crs"));
    assertEquals(0.744, Double.parseDouble(summary.get("resample")), 0.002);
    assertEquals("2", summary.get("polygons"));
    // the red pixels' ground area, about 4100 x 0.75 x 1.11 m2; bilinear resampling moves
    // edges by under a pixel
    double pixelArea = 1e-5 * 1e-5 * Math.cos(Math.toRadians(47.8)) * Math.pow(111195.08, 2);
    double expected = Scenes.RED_PIXELS * pixelArea;
    double area =
        GeoPackageContents.read(gpkg).features.stream().mapToDouble(f -> f.number("area")).sum();
    assertEquals(expected, area, 0.1 * expected);
  }

  @Test
  void embeddedBundleIsTheDefaultModel() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        TestBundle.embeddedExists() && System.getenv(ModelLocation.ENVIRONMENT_VARIABLE) == null,
        "no embedded bundle, or $DIFFRIS_MODEL chooses another");
    Path gpkg = out.resolve("default.gpkg");
    Cli run =
        Cli.run(
            "segment",
            "--raster",
            Scenes.twoRedRectangles(out.resolve("s.tif")).toString(),
            "--query",
            "red buildings",
            "--out",
            gpkg.toString(),
            "--device",
            "cpu");
    assertEquals(0, run.exitCode, run.err);
    assertTrue(run.out.contains("model: diffris-tiny"), run.out);
    Map<String, String> summary = run.summary();
    for (String key : new String[] {"polygons", "tiles", "provider", "model_ms", "total_ms"}) {
      assertTrue(summary.containsKey(key), key + " missing: " + run.out);
    }
    GeoPackageContents contents = GeoPackageContents.read(gpkg);
    assertEquals(Integer.parseInt(summary.get("polygons")), contents.features.size());
    for (GeoPackageContents.Feature f : contents.features) {
      assertTrue(String.valueOf(f.attributes().get("model")).startsWith("diffris-tiny "));
      assertEquals("red buildings", f.attributes().get("query"));
    }
  }

  @Test
  void thresholdOptionMovesTheCut() throws Exception {
    Cli run = segment("--out", out.resolve("none.gpkg").toString(), "--threshold", "0.95");
    assertEquals(0, run.exitCode, run.err);
    assertEquals("0", run.summary().get("polygons"));
    assertEquals("0.95", run.summary().get("threshold"));
  }

  /** A query longer than the model reads is cut by the tokenizer: the user is told, not silently. */
  @Test
  void aQueryCutToTheModelsLengthIsAWarning() throws Exception {
    Cli cut = segmentFor("car ".repeat(80).strip(), "long.gpkg");
    assertEquals(0, cut.exitCode, cut.err);
    assertEquals(
        "diffris segment: warning: the query is longer than the 77 tokens the model reads (start"
            + " and end tokens included): its end was cut",
        cut.err.strip());
    // "car" is one token of the test bundle's vocabulary: nothing to warn about.
    Cli whole = segmentFor("car", "short.gpkg");
    assertEquals(0, whole.exitCode, whole.err);
    assertFalse(whole.err.contains("warning"), whole.err);
  }

  private Cli segmentFor(String query, String output) {
    return Cli.run(
        "segment",
        "--raster",
        scene.toString(),
        "--query",
        query,
        "--model",
        bundle.toString(),
        "--device",
        "cpu",
        "--out",
        out.resolve(output).toString());
  }

  @Test
  void aQueryInWordsTheModelBarelyKnowsIsAWarning() throws Exception {
    Cli arabic = segmentFor("سفن في الميناء", "arabic.gpkg");
    assertEquals(0, arabic.exitCode, arabic.err);
    assertTrue(
        arabic.err.contains(
            "warning: the model's vocabulary barely knows \"سفن\", \"في\", \"الميناء\" (it reads"
                + " them letter by letter)"),
        arabic.err);
  }

  /** A tile larger than the raster is cut to the raster's size, with a warning, not run whole. */
  @Test
  void aTileLargerThanTheRasterIsCutToIt() throws Exception {
    Cli run =
        Cli.run(
            "segment",
            "--raster",
            scene.toString(),
            "--query",
            "car",
            "--model",
            bundle.toString(),
            "--device",
            "cpu",
            "--tile",
            "4096",
            "--batch",
            "1",
            "--out",
            out.resolve("big-tile.gpkg").toString());
    assertEquals(0, run.exitCode, run.err);
    assertTrue(
        run.err.contains(
            "warning: a tile of 4096 model pixels is larger than this raster's model grid"),
        run.err);
    assertTrue(Integer.parseInt(run.summary().get("tiles")) <= 4, run.out);
  }
}
