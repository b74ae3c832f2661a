package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.GeoPackageContents;
import org.diffris.cli.testing.TestBundle;
import org.diffris.geoserver.SharedModels;
import org.geotools.api.feature.simple.SimpleFeature;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.data.simple.SimpleFeatureCollection;
import org.geotools.data.simple.SimpleFeatureIterator;
import org.geotools.feature.NameImpl;
import org.geotools.gce.geotiff.GeoTiffReader;
import org.geotools.process.Process;
import org.geotools.process.ProcessFactory;
import org.geotools.process.Processors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.index.strtree.STRtree;

/**
 * The check for the WPS process: {@code diffris:Segment}, found through GeoTools'
 * {@code Processors} as GeoServer's WPS finds it and run on {@code sample-data/scenes/port.tif}
 * read with GeoTools' {@code GeoTiffReader}, returns the features {@code diffris segment} writes
 * for the same query, threshold, simplification and minimum area: as many, and one to one (paired
 * by geometry) the same outline (symmetric difference below {@value #GEOMETRY_TOLERANCE} of the
 * area), area and score.
 *
 * <p>Uses the real bundle {@code sample-data/models/diffris-tiny} and compares the two hosts
 * with each other only, never with numbers written down here, so it holds for any bundle put
 * there. Skipped while the bundle is absent. About 3 s of inference per run on the whole
 * 1792 x 1792 scene (361 tiles of the model's grid at 1 m).
 */
class SegmentProcessParityTest {
  static final double GEOMETRY_TOLERANCE = 1e-6;
  static final double SCORE_TOLERANCE = 1e-6;
  static final Path SCENE = TestBundle.root().resolve("sample-data/scenes/port.tif");
  static final NameImpl PROCESS = new NameImpl("diffris", "Segment");

  @TempDir Path out;
  private static final Map<String, String> SAVED = new HashMap<>();

  @BeforeAll
  static void pointTheProcessAtTheBundle() {
    assumeTrue(TestBundle.embeddedExists(), "the real model bundle " + TestBundle.embedded()
        + " is not there yet");
    for (String key : new String[] {"diffris.model", "diffris.device"}) {
      SAVED.put(key, System.getProperty(key));
    }
    System.setProperty("diffris.model", TestBundle.embedded().toString());
    System.setProperty("diffris.device", "cpu");
  }

  @AfterAll
  static void restore() {
    SharedModels.closeAll();
    SAVED.forEach((key, value) -> {
      if (value == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, value);
      }
    });
  }

  /**
   * scene, query, threshold, simplify (CRS units), min-area (m²); null = the option left out.
   * {@value #LON_LAT} is port.tif's pixels on a longitude/latitude grid of about 0.5 m.
   */
  static Stream<Arguments> requests() {
    return Stream.of(
        Arguments.of("port.tif", "storage tanks", null, null, null),
        Arguments.of("port.tif", "ships", 0.4, 0.5, 10.0),
        Arguments.of(LON_LAT, "storage tanks", null, 1e-5, 5.0));
  }

  static final String LON_LAT = "port.tif on EPSG:4326";
  @TempDir static Path shared;

  /**
   * The pixels of port.tif on a WGS84 longitude/latitude grid near 45.7 N, written by GeoTools'
   * GeoTiffWriter: 6.41e-6 x 4.507e-6 degree pixels, about 0.50 x 0.50 m. The model's grid then
   * comes from the geographic GSD (about 895.2 model pixels a side with a spherical earth, 895.9
   * with the ellipsoid's metres per degree), so two hosts measuring it differently part here.
   */
  static Path scene(String name) throws Exception {
    if (!name.equals(LON_LAT)) {
      return SCENE;
    }
    Path file = shared.resolve("port-4326.tif");
    if (!java.nio.file.Files.exists(file)) {
      GeoTiffReader reader = new GeoTiffReader(SCENE.toFile());
      try {
        GridCoverage2D utm = reader.read(null);
        java.awt.image.RenderedImage image = utm.getRenderedImage();
        GridCoverage2D lonLat = new org.geotools.coverage.grid.GridCoverageFactory().create(
            "port", image, new org.geotools.geometry.jts.ReferencedEnvelope(
                13.75, 13.75 + image.getWidth() * 6.41e-6,
                45.68, 45.68 + image.getHeight() * 4.507e-6,
                org.geotools.referencing.crs.DefaultGeographicCRS.WGS84));
        org.geotools.gce.geotiff.GeoTiffWriter writer =
            new org.geotools.gce.geotiff.GeoTiffWriter(file.toFile());
        try {
          writer.write(lonLat, null);
        } finally {
          writer.dispose();
        }
      } finally {
        reader.dispose();
      }
    }
    return file;
  }

  @ParameterizedTest(name = "{0}: {1}, threshold {2}, simplify {3}, min-area {4}")
  @MethodSource("requests")
  void processReturnsWhatSegmentWrites(String sceneName, String query, Double threshold,
      Double simplify, Double minArea) throws Exception {
    Path raster = scene(sceneName);
    Path gpkg = out.resolve("cli.gpkg");
    List<String> args = new ArrayList<>(List.of("segment", "--raster", raster.toString(),
        "--query", query, "--out", gpkg.toString(), "--model", TestBundle.embedded().toString(),
        "--device", "cpu"));
    Map<String, Object> inputs = new HashMap<>();
    inputs.put("query", query);
    if (threshold != null) {
      args.addAll(List.of("--threshold", threshold.toString()));
      inputs.put("threshold", threshold);
    }
    if (simplify != null) {
      args.addAll(List.of("--simplify", simplify.toString()));
      inputs.put("simplify", simplify);
    }
    if (minArea != null) {
      args.addAll(List.of("--min-area", minArea.toString()));
      inputs.put("minArea", minArea);
    }
    Cli run = Cli.run(args.toArray(String[]::new));
    assertEquals(0, run.exitCode, run.err);
    List<GeoPackageContents.Feature> written = GeoPackageContents.read(gpkg).features;

    List<SimpleFeature> returned = new ArrayList<>();
    GeoTiffReader reader = new GeoTiffReader(raster.toFile());
    try {
      GridCoverage2D coverage = reader.read(null);
      inputs.put("coverage", coverage);
      ProcessFactory factory = Processors.createProcessFactory(PROCESS);
      assertNotNull(factory, "diffris:Segment is not registered");
      Process process = factory.create(PROCESS);
      Map<String, Object> result = process.execute(inputs, null);
      SimpleFeatureCollection features =
          assertInstanceOf(SimpleFeatureCollection.class, result.get("result"));
      try (SimpleFeatureIterator it = features.features()) {
        while (it.hasNext()) {
          returned.add(it.next());
        }
      }
      coverage.dispose(true);
    } finally {
      reader.dispose();
    }

    System.out.printf("%s, %s: segment wrote %d polygons, diffris:Segment returned %d%n",
        sceneName, query, written.size(), returned.size());
    assertEquals(written.size(), returned.size(), "feature count");
    STRtree index = new STRtree();
    for (SimpleFeature f : returned) {
      Geometry g = (Geometry) f.getDefaultGeometry();
      index.insert(g.getEnvelopeInternal(), f);
    }
    List<SimpleFeature> unmatched = new ArrayList<>(returned);
    for (GeoPackageContents.Feature w : written) {
      Geometry g = w.geometry();
      double area = g.getArea();
      SimpleFeature match = null;
      for (Object candidate : index.query(g.getEnvelopeInternal())) {
        SimpleFeature f = (SimpleFeature) candidate;
        Geometry other = (Geometry) f.getDefaultGeometry();
        if (unmatched.contains(f)
            && g.symDifference(other).getArea() < GEOMETRY_TOLERANCE * area) {
          match = f;
          break;
        }
      }
      assertNotNull(match, "no feature of diffris:Segment has the outline of " + g);
      unmatched.remove(match);
      assertEquals(w.number("area_m2"), (Double) match.getAttribute("area"),
          1e-9 * Math.max(1, w.number("area_m2")), "area of " + g);
      assertEquals(w.number("score"), (Double) match.getAttribute("score"), SCORE_TOLERANCE,
          "score of " + g);
      assertEquals(w.attributes().get("query"), match.getAttribute("query"));
      assertEquals(w.attributes().get("model"), match.getAttribute("model"));
    }
    assertTrue(unmatched.isEmpty(), unmatched.size() + " features of diffris:Segment unmatched");
  }
}
