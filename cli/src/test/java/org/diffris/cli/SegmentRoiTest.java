package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.GeoPackageContents;
import org.diffris.cli.testing.Scenes;
import org.diffris.cli.testing.TestBundle;
import org.diffris.cli.testing.TestRasters;
import org.diffris.geotools.CoverageRaster;
import org.diffris.geotools.PixelWindow;
import org.diffris.pipeline.RasterInput;
import org.diffris.pipeline.RoiMask;
import org.diffris.pipeline.SegmentOptions;
import org.diffris.pipeline.SegmentationPlan;
import org.diffris.pipeline.Segmenter;
import org.diffris.runtime.ModelBundle;
import org.diffris.runtime.onnx.ExecutionProvider;
import org.diffris.runtime.onnx.SessionSettings;
import org.diffris.vectorizer.VectorizedRegion;
import org.geotools.api.referencing.operation.MathTransform;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.gce.geotiff.GeoTiffReader;
import org.geotools.geometry.jts.JTS;
import org.geotools.referencing.CRS;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.WKTReader;
import org.locationtech.jts.io.geojson.GeoJsonWriter;

/**
 * {@code diffris segment --roi} with the analytic bundle, whose answer is known per pixel: the
 * roi from WKT and from a GeoJSON in longitude/latitude over the UTM raster give the polygons the
 * WPS process's roi path gives (its window and mask, through the same pipeline calls), limited to
 * the roi, the one its boundary cuts marked at_edge and the one far from every edge not; every
 * bad roi is refused with what is accepted, and nothing is written.
 */
class SegmentRoiTest {
  // World x = 500000 + column, y = 5300000 - row (1 m pixels, EPSG:32633).
  // The roi: columns 20-380, rows 20-380, without a notch at columns 250-380, rows 150-250;
  // every vertex on a pixel corner.
  private static final String ROI =
      "POLYGON ((500020 5299980, 500380 5299980, 500380 5299850, 500250 5299850, 500250 5299750,"
          + " 500380 5299750, 500380 5299620, 500020 5299620, 500020 5299980))";
  @TempDir static Path shared;
  static Path bundle;
  static Path scene;
  @TempDir Path out;

  /**
   * 400 x 400 px: red rectangle A at columns 100-140, rows 180-220 (80 px and more from the
   * roi's boundary); red rectangle B at columns 270-310, rows 120-180, cut by the notch's top at
   * row 150; red rectangle C at columns 390-400, outside the roi.
   */
  @BeforeAll
  static void fixtures() throws Exception {
    bundle = TestBundle.write(shared.resolve("bundle"), 64);
    BufferedImage image = new BufferedImage(400, 400, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = image.createGraphics();
    g.setColor(Scenes.GROUND);
    g.fillRect(0, 0, 400, 400);
    g.setColor(Scenes.RED);
    g.fillRect(100, 180, 40, 40);
    g.fillRect(270, 120, 40, 60);
    g.fillRect(390, 0, 10, 400);
    g.dispose();
    scene = TestRasters.write(shared.resolve("scene.tif"), image);
  }

  private Cli segment(Path gpkg, String... roi) {
    List<String> args = new ArrayList<>(List.of("--progress", "none", "--out", gpkg.toString()));
    args.addAll(List.of(roi));
    return Cli.segment(scene, "red things", bundle, args.toArray(String[]::new));
  }

  private static Geometry world(int c0, int r0, int c1, int r1) throws Exception {
    return new WKTReader()
        .read(
            String.format(
                "POLYGON ((%d %d, %d %d, %d %d, %d %d, %d %d))",
                500000 + c0,
                5300000 - r0,
                500000 + c1,
                5300000 - r0,
                500000 + c1,
                5300000 - r1,
                500000 + c0,
                5300000 - r1,
                500000 + c0,
                5300000 - r0));
  }

  private static List<GeoPackageContents.Feature> sorted(Path gpkg) throws Exception {
    List<GeoPackageContents.Feature> features =
        new ArrayList<>(GeoPackageContents.read(gpkg).features);
    features.sort(Comparator.comparingDouble(f -> f.geometry().getEnvelopeInternal().getMinX()));
    return features;
  }

  private static boolean atEdge(GeoPackageContents.Feature f) {
    return ((Number) f.attributes().get("at_edge")).intValue() != 0;
  }

  @Test
  void anRoiFromWktOrLonLatGeoJsonGivesTheWpsRoiPathsPolygonsWithinIt() throws Exception {
    Path fromWkt = out.resolve("wkt.gpkg");
    Cli wkt = segment(fromWkt, "--roi", ROI, "--roi-crs", "EPSG:32633");
    assertEquals(0, wkt.exitCode, wkt.err);
    assertTrue(wkt.out.contains("roi: roi, columns 20-380, rows 20-380 read"), wkt.out);
    assertEquals("1", wkt.summary().get("at_edge"));
    List<GeoPackageContents.Feature> features = sorted(fromWkt);
    assertEquals(2, features.size(), "C lies outside the roi");
    Geometry roi = new WKTReader().read(ROI);
    GeoPackageContents.Feature a = features.get(0);
    GeoPackageContents.Feature b = features.get(1);
    assertTrue(a.geometry().equalsTopo(world(100, 180, 140, 220)), a.geometry().toText());
    assertFalse(atEdge(a), "80 px and more from the roi's boundary and the read rectangle's sides");
    assertTrue(b.geometry().equalsTopo(world(270, 120, 310, 150)), b.geometry().toText());
    assertTrue(atEdge(b), "cut by the roi's boundary");
    for (GeoPackageContents.Feature f : features) {
      assertTrue(roi.covers(f.geometry()), "within the roi: " + f.geometry());
    }

    // The same area in longitude/latitude, vertex by vertex, as a GeoJSON file.
    MathTransform toLonLat =
        CRS.findMathTransform(CRS.decode("EPSG:32633"), CRS.decode("EPSG:4326", true), true);
    Path geojson = out.resolve("area.geojson");
    Files.writeString(
        geojson,
        "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"properties\":"
            + " {}, \"geometry\": "
            + new GeoJsonWriter(15).write(JTS.transform(roi, toLonLat))
            + "}]}");
    Path fromGeoJson = out.resolve("geojson.gpkg");
    Cli lonLat = segment(fromGeoJson, "--roi", geojson.toString());
    assertEquals(0, lonLat.exitCode, lonLat.err);
    assertSame(features, sorted(fromGeoJson));

    // The WPS process's roi path: the coverage's window round the roi, the roi's mask on it.
    List<VectorizedRegion> wps = new ArrayList<>();
    SegmentationPlan plan;
    GeoTiffReader reader = new GeoTiffReader(scene.toFile());
    try (Segmenter segmenter =
        Segmenter.open(ModelBundle.open(bundle), SessionSettings.of(ExecutionProvider.CPU))) {
      GridCoverage2D coverage = reader.read(null);
      CoverageRaster raster = CoverageRaster.of(coverage);
      PixelWindow window = raster.window(roi);
      RasterInput input = raster.input(window);
      plan =
          segmenter.plan(
              input,
              SegmentOptions.builder("red things")
                  .roi(new RoiMask(roi, input.pixelToWorld()))
                  .build());
      plan.run(wps::add, null, (d, t) -> {}, () -> false);
      coverage.dispose(true);
    } finally {
      reader.dispose();
    }
    wps.sort(Comparator.comparingDouble(r -> r.geometry().getEnvelopeInternal().getMinX()));
    assertEquals(features.size(), wps.size());
    for (int i = 0; i < wps.size(); i++) {
      Geometry expected = wps.get(i).geometry().copy();
      expected.normalize();
      Geometry got = features.get(i).geometry().copy();
      got.normalize();
      assertTrue(expected.equalsExact(got), expected + " / " + got);
      assertEquals(plan.atEdge(wps.get(i)), atEdge(features.get(i)));
      assertEquals(wps.get(i).meanProbability(), features.get(i).number("score"), 1e-9);
    }
  }

  private static void assertSame(
      List<GeoPackageContents.Feature> expected, List<GeoPackageContents.Feature> got) {
    assertEquals(expected.size(), got.size());
    for (int i = 0; i < expected.size(); i++) {
      assertTrue(
          expected.get(i).geometry().equalsExact(got.get(i).geometry()),
          expected.get(i).geometry() + " / " + got.get(i).geometry());
      // Each run has its own run_id; everything else must match.
      Map<String, Object> want = new HashMap<>(expected.get(i).attributes());
      Map<String, Object> have = new HashMap<>(got.get(i).attributes());
      assertNotEquals(want.remove("run_id"), have.remove("run_id"));
      assertEquals(want, have);
    }
  }

  @Test
  void probabilitiesStayOnTheRastersGridWithNoneOutsideTheRoi() throws Exception {
    Path tif = out.resolve("p.tif");
    Cli run =
        segment(
            out.resolve("p.gpkg"), "--roi", "SRID=32633;" + ROI, "--probabilities", tif.toString());
    assertEquals(0, run.exitCode, run.err);
    float[] p = TestRasters.firstBand(tif);
    assertEquals(400 * 400, p.length);
    assertTrue(Float.isNaN(p[10 * 400 + 10]), "outside the rectangle read");
    assertTrue(Float.isNaN(p[200 * 400 + 300]), "in the notch");
    assertTrue(p[200 * 400 + 120] > 0.5, "inside A: " + p[200 * 400 + 120]);
    assertTrue(p[100 * 400 + 60] < 0.5, "ground inside the roi: " + p[100 * 400 + 60]);
  }

  /** Exit status 1, the message on stderr, and no output file. */
  private String refused(String... roi) {
    Path gpkg = out.resolve("refused.gpkg");
    Cli run = segment(gpkg, roi);
    assertEquals(1, run.exitCode, run.out + run.err);
    assertFalse(Files.exists(gpkg), "nothing written");
    assertTrue(run.err.startsWith("diffris segment: "), run.err);
    return run.err.strip().substring("diffris segment: ".length());
  }

  @Test
  void everyBadRoiIsRefusedBeforeAnyWorkSayingWhatIsAccepted() throws Exception {
    assertTrue(
        refused("--roi", "POLYGON ((500020 5299980, 500380", "--roi-crs", "EPSG:32633")
            .startsWith("--roi is not WKT that can be read ("));
    assertTrue(
        refused("--roi", ROI, "--roi-crs", "EPSG:1234567")
            .startsWith("--roi-crs 'EPSG:1234567' is not a CRS this tool knows ("));
    assertTrue(refused("--roi", ROI).startsWith("--roi is WKT without a CRS; give it with"));
    Path notes = Files.writeString(out.resolve("area.txt"), "the north field\n");
    assertTrue(
        refused("--roi", notes.toString())
            .startsWith("--roi " + notes + " is neither a GeoJSON nor a GeoPackage file;"));
    assertTrue(
        refused("--roi", "SRID=32633;POLYGON EMPTY")
            .startsWith("roi is empty; give a polygon that overlaps the raster"));
    String outside = refused("--roi", "SRID=32633;POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))");
    assertEquals(
        "roi (x 0.000000000 to 10.00000000, y 0.000000000 to 10.00000000) does not overlap the"
            + " raster (x 500000.0000 to 500400.0000, y 5299600.000 to 5300000.000) (both in the"
            + " raster's CRS, EPSG:32633, x = east); give an area over the raster, in its CRS or"
            + " with the CRS it is in",
        outside);
    assertTrue(
        refused("--roi", "SRID=32633;LINESTRING (500020 5299980, 500380 5299620)")
            .startsWith("roi must be a Polygon or MultiPolygon (an area), got a LineString;"));
    assertTrue(
        refused(
                "--roi",
                "SRID=32633;POLYGON ((500020 5299980, 500380 5299620, 500380 5299980, 500020"
                    + " 5299620, 500020 5299980))")
            .startsWith("roi is not a valid polygon: self-intersection at (500200.0000,"));
    Path gpkg = Files.writeString(out.resolve("same.geojson"), "{}");
    Cli same =
        Cli.run(
            "segment",
            "--raster",
            scene.toString(),
            "--query",
            "red things",
            "--model",
            bundle.toString(),
            "--out",
            gpkg.toString(),
            "--overwrite",
            "--roi",
            gpkg.toString());
    assertEquals(1, same.exitCode, same.err);
    assertTrue(same.err.contains("--roi"), same.err);
    assertEquals("{}", Files.readString(gpkg), "an roi is never written");
    assertTrue(refused("--roi-crs", "EPSG:32633").startsWith("--roi-crs needs --roi"));
  }
}
