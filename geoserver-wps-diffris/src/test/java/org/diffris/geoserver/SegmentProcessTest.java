package org.diffris.geoserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.geom.AffineTransform;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.diffris.runtime.ModelBundle;
import org.diffris.runtime.tiling.TileGrid;
import org.geotools.api.data.Parameter;
import org.geotools.api.feature.simple.SimpleFeature;
import org.geotools.api.feature.simple.SimpleFeatureType;
import org.geotools.api.feature.type.Name;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.data.simple.SimpleFeatureCollection;
import org.geotools.data.simple.SimpleFeatureIterator;
import org.geotools.data.util.DefaultProgressListener;
import org.geotools.feature.NameImpl;
import org.geotools.process.Process;
import org.geotools.process.ProcessException;
import org.geotools.process.ProcessFactory;
import org.geotools.process.Processors;
import org.geotools.referencing.CRS;
import org.geotools.referencing.crs.DefaultGeographicCRS;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.operation.valid.IsValidOp;

/** diffris:Segment through GeoTools' process registry, the path GeoServer's WPS takes. */
class SegmentProcessTest {
  static final Name NAME = new NameImpl("diffris", "Segment");
  static final GeometryFactory GF = new GeometryFactory();

  @BeforeAll
  static void useTestBundle() throws Exception {
    TestBundle.install();
  }

  @AfterEach
  void resetLimits() {
    System.clearProperty("diffris.maxPixels");
  }

  static SimpleFeatureCollection run(
      Map<String, Object> inputs, org.geotools.api.util.ProgressListener listener) {
    Process process = Processors.createProcess(NAME);
    Map<String, Object> out = process.execute(inputs, listener);
    return (SimpleFeatureCollection) out.get("result");
  }

  static Map<String, Object> inputs(GridCoverage2D coverage, String query) {
    Map<String, Object> in = new HashMap<>();
    in.put("coverage", coverage);
    in.put("query", query);
    return in;
  }

  static List<SimpleFeature> features(SimpleFeatureCollection fc) {
    List<SimpleFeature> list = new ArrayList<>();
    try (SimpleFeatureIterator it = fc.features()) {
      while (it.hasNext()) {
        list.add(it.next());
      }
    }
    return list;
  }

  /** The analytic model's probability for a white pixel and a query. */
  static double whiteProbability(String query) throws Exception {
    long firstToken =
        ModelBundle.open(TestBundle.folder()).tokenizer().encode(query).idsAsLongs()[1];
    double x0 = (1 - 0.485) / 0.229;
    double x1 = (1 - 0.456) / 0.224;
    double x2 = (1 - 0.406) / 0.225;
    double logit = x0 + 0.5 * x1 - 0.25 * x2 - 0.001 * firstToken;
    return 1 / (1 + Math.exp(-logit));
  }

  @Test
  void factoryDescribesTheParametersGeoServerPublishes() {
    ProcessFactory factory = Processors.createProcessFactory(NAME);
    assertInstanceOf(DiffrisProcessFactory.class, factory);
    assertTrue(factory.getNames().contains(NAME));
    Map<String, Parameter<?>> params = factory.getParameterInfo(NAME);
    assertEquals(
        Set.of(
            "coverage",
            "query",
            "threshold",
            "bands",
            "scale",
            "roi",
            "simplify",
            "minArea",
            "maxFeatures"),
        params.keySet());
    assertEquals(String.class, params.get("scale").type);
    assertEquals("auto", params.get("scale").getDefaultValue());
    assertEquals(GridCoverage2D.class, params.get("coverage").type);
    assertEquals(String.class, params.get("query").type);
    assertEquals(Double.class, params.get("threshold").type);
    assertEquals(String.class, params.get("bands").type);
    assertEquals(Geometry.class, params.get("roi").type);
    assertEquals(Double.class, params.get("simplify").type);
    assertEquals(Double.class, params.get("minArea").type);
    assertEquals(Integer.class, params.get("maxFeatures").type);
    assertEquals(1, params.get("coverage").minOccurs);
    assertEquals(1, params.get("query").minOccurs);
    for (String optional :
        List.of("threshold", "bands", "scale", "roi", "simplify", "minArea", "maxFeatures")) {
      assertEquals(0, params.get(optional).minOccurs, optional);
    }
    assertEquals(0.0, params.get("simplify").getDefaultValue());
    assertEquals(0.0, params.get("minArea").getDefaultValue());
    assertNull(params.get("threshold").getDefaultValue()); // the model's own
    assertTrue(params.get("minArea").getDescription().toString().contains("square metres"));
    Map<String, Parameter<?>> results = factory.getResultInfo(NAME, null);
    assertEquals(Set.of("result"), results.keySet());
    assertEquals(SimpleFeatureCollection.class, results.get("result").type);
  }

  @Test
  void segmentsAGeoTiffIntoOnePolygonPerObject() throws Exception {
    SimpleFeatureCollection fc = run(inputs(TestCoverages.standardFromGeoTiff(), "tanks"), null);
    SimpleFeatureType type = fc.getSchema();
    assertEquals(
        Integer.valueOf(32633), CRS.lookupEpsgCode(type.getCoordinateReferenceSystem(), false));
    assertEquals(Polygon.class, type.getGeometryDescriptor().getType().getBinding());
    assertEquals(String.class, type.getDescriptor("query").getType().getBinding());
    assertEquals(Double.class, type.getDescriptor("score").getType().getBinding());
    assertEquals(Double.class, type.getDescriptor("area").getType().getBinding());
    assertEquals(Long.class, type.getDescriptor("pixels").getType().getBinding());
    assertEquals(String.class, type.getDescriptor("model").getType().getBinding());
    assertEquals(
        List.of(
            "geometry", "query", "score", "area", "pixels", "model", "at_edge", "source", "run_id"),
        type.getAttributeDescriptors().stream().map(d -> d.getLocalName()).toList());
    assertEquals(String.class, type.getDescriptor("source").getType().getBinding());
    assertEquals(String.class, type.getDescriptor("run_id").getType().getBinding());

    List<SimpleFeature> features = features(fc);
    assertEquals(2, features.size());
    double p = whiteProbability("tanks");
    for (int i = 0; i < 2; i++) {
      int[] o = TestCoverages.OBJECTS[i]; // largest first, as listed
      SimpleFeature f = features.get(i);
      Polygon polygon = (Polygon) f.getDefaultGeometry();
      assertTrue(IsValidOp.isValid(polygon));
      Envelope expected =
          new Envelope(
              TestCoverages.ORIGIN_X + 0.5 * o[0],
              TestCoverages.ORIGIN_X + 0.5 * (o[0] + o[2]),
              TestCoverages.ORIGIN_Y - 0.5 * o[1],
              TestCoverages.ORIGIN_Y - 0.5 * (o[1] + o[3]));
      assertEquals(expected, polygon.getEnvelopeInternal());
      assertEquals(expected.getArea(), polygon.getArea(), 1e-9);
      assertEquals(o[2] * o[3] * 0.25, (Double) f.getAttribute("area"), 1e-9);
      assertEquals((long) (o[2] * o[3]), f.getAttribute("pixels"));
      assertEquals(p, (Double) f.getAttribute("score"), 1e-5);
      assertEquals("tanks", f.getAttribute("query"));
      assertEquals("analytic-test 0.0.1", f.getAttribute("model"));
      // Within one tile (64 pixels + the margin's slack) of the 200 x 150 coverage's edge.
      assertEquals(true, f.getAttribute("at_edge"));
      assertEquals(32633, polygon.getSRID());
    }
  }

  /**
   * Each request is a run: its id and the coverage's name on every feature, and its manifest in
   * one log line that says what the request did.
   */
  @Test
  void eachRequestIsARunWithItsManifestInTheLog() throws Exception {
    List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Handler handler =
        new java.util.logging.Handler() {
          @Override
          public void publish(java.util.logging.LogRecord r) {
            if (r.getLevel() == java.util.logging.Level.INFO
                && r.getMessage().startsWith(RunRecord.LOG_PREFIX)) {
              logged.add(r.getMessage().substring(RunRecord.LOG_PREFIX.length()));
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    java.util.logging.Logger log = java.util.logging.Logger.getLogger(RunRecord.class.getName());
    log.addHandler(handler);
    List<List<SimpleFeature>> runs = new ArrayList<>();
    double x0 = TestCoverages.ORIGIN_X;
    double y0 = TestCoverages.ORIGIN_Y;
    Polygon roi =
        GF.createPolygon(
            new Coordinate[] {
              new Coordinate(x0, y0), new Coordinate(x0 + 60, y0),
              new Coordinate(x0 + 60, y0 - 60), new Coordinate(x0, y0 - 60),
              new Coordinate(x0, y0)
            });
    try {
      runs.add(features(run(inputs(TestCoverages.standard(), "tanks"), null)));
      Map<String, Object> in = inputs(TestCoverages.standard(), "tanks");
      in.put("roi", roi);
      runs.add(features(run(in, null)));
    } finally {
      log.removeHandler(handler);
    }
    assertEquals(2, logged.size(), logged.toString());
    java.util.Set<Object> ids = new java.util.HashSet<>();
    for (int i = 0; i < 2; i++) {
      Map<?, ?> m = (Map<?, ?>) org.diffris.runtime.json.JsonReader.parse(logged.get(i), "log");
      List<SimpleFeature> features = runs.get(i);
      assertTrue(!features.isEmpty());
      for (SimpleFeature f : features) {
        assertEquals("scene", f.getAttribute("source")); // the coverage's name
        assertEquals(m.get("run_id"), f.getAttribute("run_id"));
      }
      ids.add(m.get("run_id"));
      assertEquals("diffris:Segment", m.get("host"));
      Map<?, ?> counts = (Map<?, ?>) m.get("counts");
      assertEquals(features.size(), ((Number) counts.get("polygons")).intValue());
      Map<?, ?> model = (Map<?, ?>) m.get("model");
      assertEquals("analytic-test", model.get("name"));
      assertEquals(ModelBundle.open(TestBundle.folder()).contentSha256(), model.get("sha256"));
      Map<?, ?> input = (Map<?, ?>) ((List<?>) m.get("inputs")).get(0);
      assertEquals("scene", input.get("path"));
      Map<?, ?> options = (Map<?, ?>) m.get("options");
      assertEquals("tanks", options.get("query"));
      assertEquals(i == 0 ? null : roi.toText(), options.get("roi"));
      // The whole 200 x 150 coverage of 0.5 m pixels; the roi's 120 x 120 pixel window.
      assertEquals(
          i == 0 ? 200 * 150 * 0.25e-6 : 120 * 120 * 0.25e-6,
          ((Number) m.get("area_km2")).doubleValue(),
          1e-12);
    }
    assertEquals(2, ids.size(), "each request has its own run id");
  }

  @Test
  void roiRestrictsTheSearchToItsPixels() throws Exception {
    // A triangle around the first object's left half only: the pixels whose centres are inside.
    double x0 = TestCoverages.ORIGIN_X;
    double y0 = TestCoverages.ORIGIN_Y;
    Polygon box =
        GF.createPolygon(
            new Coordinate[] {
              new Coordinate(x0 + 10, y0 - 15), new Coordinate(x0 + 20, y0 - 15),
              new Coordinate(x0 + 20, y0 - 30), new Coordinate(x0 + 10, y0 - 30),
              new Coordinate(x0 + 10, y0 - 15)
            });
    Map<String, Object> in = inputs(TestCoverages.standard(), "tanks");
    in.put("roi", box);
    List<SimpleFeature> features = features(run(in, null));
    assertEquals(1, features.size());
    Polygon p = (Polygon) features.get(0).getDefaultGeometry();
    // Object 0 covers x0+15..x0+25; the ROI stops at x0+20.
    assertEquals(new Envelope(x0 + 15, x0 + 20, y0 - 25, y0 - 20), p.getEnvelopeInternal());
    assertTrue(box.covers(p));

    Polygon triangle =
        GF.createPolygon(
            new Coordinate[] {
              new Coordinate(x0 + 15, y0 - 20), new Coordinate(x0 + 25, y0 - 20),
              new Coordinate(x0 + 15, y0 - 25), new Coordinate(x0 + 15, y0 - 20)
            });
    in.put("roi", triangle);
    Polygon clipped = (Polygon) features(run(in, null)).get(0).getDefaultGeometry();
    assertTrue(triangle.buffer(0.5).covers(clipped)); // pixel centres inside, squares may stick out
    assertTrue(
        clipped.getArea() > 0.8 * triangle.getArea()
            && clipped.getArea() < 1.2 * triangle.getArea());
  }

  @Test
  void optionsFilterAndLimitTheFeatures() throws Exception {
    Map<String, Object> in = inputs(TestCoverages.standard(), "tanks");
    in.put("minArea", 40.0); // object 1 is 36 m2
    assertEquals(1, features(run(in, null)).size());
    in.remove("minArea");
    in.put("maxFeatures", 1);
    List<SimpleFeature> one = features(run(in, null));
    assertEquals(1, one.size());
    assertEquals(50.0, (Double) one.get(0).getAttribute("area"), 1e-9);
    in.remove("maxFeatures");
    in.put("threshold", 0.99); // above the white pixels' probability
    assertEquals(0, features(run(in, null)).size());
  }

  @Test
  void rotatedGridsKeepTheFullTransform() throws Exception {
    AffineTransform gridToCrs = new AffineTransform(0.5, 0, 0, -0.5, 600_000, 4_000_000);
    gridToCrs.rotate(Math.toRadians(30));
    GridCoverage2D rotated =
        TestCoverages.coverage(
            TestCoverages.scene(TestCoverages.WIDTH, TestCoverages.HEIGHT, TestCoverages.OBJECTS),
            gridToCrs,
            TestCoverages.utm33());
    List<SimpleFeature> features = features(run(inputs(rotated, "tanks"), null));
    assertEquals(2, features.size());
    Polygon p = (Polygon) features.get(0).getDefaultGeometry();
    int[] o = TestCoverages.OBJECTS[0];
    double[][] corners = {
      {o[0], o[1]}, {o[0] + o[2], o[1]}, {o[0] + o[2], o[1] + o[3]}, {o[0], o[1] + o[3]}
    };
    List<Coordinate> vertices = List.of(p.getExteriorRing().getCoordinates());
    for (double[] c : corners) {
      double[] w = new double[2];
      gridToCrs.transform(c, 0, w, 0, 1);
      assertTrue(
          vertices.stream().anyMatch(v -> v.distance(new Coordinate(w[0], w[1])) < 1e-6),
          "corner " + c[0] + "," + c[1] + " -> " + w[0] + "," + w[1] + " missing in " + p);
    }
    assertEquals(50.0, (Double) features.get(0).getAttribute("area"), 1e-6);
  }

  @Test
  void latitudeFirstGeographicCoveragesGiveLongitudeFirstFeaturesAndGeodesicAreas()
      throws Exception {
    double d = 0.5 / 111_000.0; // about 0.5 m
    // EPSG:4326 as the EPSG database has it: latitude first.
    AffineTransform gridToLatLon = new AffineTransform(0, d, -d, 0, 45.0, 10.0);
    GridCoverage2D coverage =
        TestCoverages.coverage(
            TestCoverages.scene(TestCoverages.WIDTH, TestCoverages.HEIGHT, TestCoverages.OBJECTS),
            gridToLatLon,
            CRS.decode("EPSG:4326"));
    SimpleFeatureCollection fc = run(inputs(coverage, "tanks"), null);
    assertEquals(
        CRS.AxisOrder.EAST_NORTH, CRS.getAxisOrder(fc.getSchema().getCoordinateReferenceSystem()));
    assertEquals(
        Integer.valueOf(4326),
        CRS.lookupEpsgCode(fc.getSchema().getCoordinateReferenceSystem(), false));
    SimpleFeature f = features(fc).get(0);
    Envelope e = ((Geometry) f.getDefaultGeometry()).getEnvelopeInternal();
    assertEquals(10.0 + 30 * d, e.getMinX(), 1e-12); // longitude
    assertEquals(45.0 - 50 * d, e.getMinY(), 1e-12); // latitude
    // 200 pixels of d x d degrees at 45 N: about 200 * 0.5 m * 0.5 m * cos(45) * (111.3/111)^2
    double area = (Double) f.getAttribute("area");
    assertTrue(area > 34 && area < 37, "geodesic area " + area);
  }

  @Test
  void progressIsReportedPerBatchFromStartToComplete() throws Exception {
    List<Float> seen = new ArrayList<>();
    boolean[] startedCompleted = new boolean[2];
    DefaultProgressListener listener =
        new DefaultProgressListener() {
          @Override
          public void started() {
            startedCompleted[0] = true;
          }

          @Override
          public void progress(float percent) {
            assertTrue(startedCompleted[0]);
            seen.add(percent);
          }

          @Override
          public void complete() {
            startedCompleted[1] = true;
          }
        };
    run(inputs(TestCoverages.standard(), "tanks"), listener);
    assertTrue(startedCompleted[1]);
    assertTrue(seen.size() >= 2, "progress calls " + seen);
    for (int i = 1; i < seen.size(); i++) {
      assertTrue(seen.get(i) > seen.get(i - 1));
    }
    assertEquals(100f, seen.get(seen.size() - 1), 1e-4);
  }

  @Test
  void cancellingStopsAtTheNextTile() throws Exception {
    List<Float> seen = new ArrayList<>();
    DefaultProgressListener listener =
        new DefaultProgressListener() {
          @Override
          public void progress(float percent) {
            seen.add(percent);
            setCanceled(true); // after the first batch of tiles
          }
        };
    ProcessException e =
        assertThrows(
            ProcessException.class, () -> run(inputs(TestCoverages.standard(), "tanks"), listener));
    String message = rootMessage(e);
    // 200 x 150 at 64-pixel tiles with 16 overlap on the world grid, batches of 4.
    int tiles =
        new TileGrid(
                200,
                150,
                64,
                16,
                (long) (TestCoverages.ORIGIN_X / 0.5),
                (long) (TestCoverages.ORIGIN_Y / -0.5))
            .tileCount();
    assertTrue(message.contains("cancelled after 4 of " + tiles + " tiles"), message);
    assertEquals(1, seen.size());
  }

  @Test
  void exceptionsFromTheListenerGoThroughUntouched() throws Exception {
    RuntimeException dismissed = new IllegalStateException("process dismissed by the client");
    DefaultProgressListener listener =
        new DefaultProgressListener() {
          @Override
          public void progress(float percent) {
            throw dismissed;
          }
        };
    RuntimeException direct =
        assertThrows(
            RuntimeException.class,
            () ->
                new SegmentProcess()
                    .execute(
                        TestCoverages.standard(),
                        "tanks",
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        listener));
    assertSame(dismissed, direct);
    // Through the factory (GeoServer's path) it is the cause of the wrapper, not replaced.
    RuntimeException viaFactory =
        assertThrows(
            RuntimeException.class, () -> run(inputs(TestCoverages.standard(), "tanks"), listener));
    assertTrue(causes(viaFactory).contains(dismissed));
    // The permit was given back on that path too: a normal run still goes through.
    assertEquals(2, features(run(inputs(TestCoverages.standard(), "tanks"), null)).size());
  }

  @Test
  void aSixteenBitCoverageGivesTheEightBitAnswer() throws Exception {
    // The standard scene with every value x 257 (white = 65535) in 16-bit samples.
    java.awt.image.BufferedImage eight =
        TestCoverages.scene(TestCoverages.WIDTH, TestCoverages.HEIGHT, TestCoverages.OBJECTS);
    java.awt.image.WritableRaster raster =
        java.awt.image.Raster.createInterleavedRaster(
            java.awt.image.DataBuffer.TYPE_USHORT,
            TestCoverages.WIDTH,
            TestCoverages.HEIGHT,
            3,
            null);
    for (int r = 0; r < TestCoverages.HEIGHT; r++) {
      for (int c = 0; c < TestCoverages.WIDTH; c++) {
        for (int b = 0; b < 3; b++) {
          raster.setSample(c, r, b, eight.getRaster().getSample(c, r, b) * 257);
        }
      }
    }
    java.awt.image.ComponentColorModel colours =
        new java.awt.image.ComponentColorModel(
            java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB),
            false,
            false,
            java.awt.Transparency.OPAQUE,
            java.awt.image.DataBuffer.TYPE_USHORT);
    GridCoverage2D sixteen =
        TestCoverages.coverage(
            new java.awt.image.BufferedImage(colours, raster, false, null),
            new java.awt.geom.AffineTransform(
                0.5, 0, 0, -0.5, TestCoverages.ORIGIN_X, TestCoverages.ORIGIN_Y),
            TestCoverages.utm33());
    List<SimpleFeature> expected = features(run(inputs(TestCoverages.standard(), "tanks"), null));
    List<SimpleFeature> actual = features(run(inputs(sixteen, "tanks"), null));
    assertEquals(2, actual.size());
    for (int i = 0; i < 2; i++) {
      Geometry a = (Geometry) actual.get(i).getDefaultGeometry();
      assertTrue(a.equalsExact((Geometry) expected.get(i).getDefaultGeometry()), "object " + i);
      assertEquals(
          (Double) expected.get(i).getAttribute("score"),
          (Double) actual.get(i).getAttribute("score"),
          1e-5);
    }
    // Told to read the 16-bit values as 8-bit ones, nothing is as white any more than 255 is.
    Map<String, Object> asBytes = inputs(sixteen, "tanks");
    asBytes.put("scale", "range:0,255");
    assertEquals(2, features(run(asBytes, null)).size());
    asBytes.put("scale", "range:0,16777215");
    assertEquals(0, features(run(asBytes, null)).size(), "too dark to be a white tank");
  }

  /**
   * A published GeoTIFF cut short (an interrupted copy) is refused, as the command line refuses
   * it: GeoTools' reader, which GeoServer's coverage stores use, would decode the missing blocks
   * as zeros and the process would answer from half an image.
   */
  @Test
  void aGeoTiffCutShortIsRefusedNotReadAsZeros(@org.junit.jupiter.api.io.TempDir Path folder)
      throws Exception {
    Path whole = Path.of("..", "sample-data", "scenes", "port.tif");
    byte[] bytes = java.nio.file.Files.readAllBytes(whole);
    Path cut = folder.resolve("port-cut.tif");
    java.nio.file.Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    org.geotools.gce.geotiff.GeoTiffReader reader =
        new org.geotools.gce.geotiff.GeoTiffReader(cut.toFile());
    try {
      GridCoverage2D published = reader.read(null);
      String message =
          rootMessage(
              assertThrows(ProcessException.class, () -> run(inputs(published, "ships"), null)));
      assertTrue(message.startsWith("raster is cut short or damaged: "), message);
      assertTrue(message.endsWith("port-cut.tif"), message);
    } finally {
      reader.dispose();
    }
    org.geotools.gce.geotiff.GeoTiffReader complete =
        new org.geotools.gce.geotiff.GeoTiffReader(whole.toFile());
    try {
      GridCoverage2D published = complete.read(null);
      assertFalse(features(run(inputs(published, "ships"), null)).isEmpty());
    } finally {
      complete.dispose();
    }
  }

  /** A query cut to the model's length, or in words it barely knows, is said in the server log. */
  @Test
  void queryWarningsGoToTheServerLog() throws Exception {
    List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Handler handler =
        new java.util.logging.Handler() {
          @Override
          public void publish(java.util.logging.LogRecord r) {
            if (r.getLevel() == java.util.logging.Level.WARNING) {
              logged.add(r.getMessage());
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    java.util.logging.Logger log =
        java.util.logging.Logger.getLogger(SegmentProcess.class.getName());
    log.addHandler(handler);
    try {
      // The test bundle's vocabulary has no merges: only one-byte words are known words.
      run(inputs(TestCoverages.standardFromGeoTiff(), "a b c"), null);
      assertEquals(List.of(), logged);
      run(inputs(TestCoverages.standardFromGeoTiff(), "港口的船"), null);
      run(inputs(TestCoverages.standardFromGeoTiff(), "a ".repeat(80)), null);
    } finally {
      log.removeHandler(handler);
    }
    assertEquals(2, logged.size(), logged.toString());
    assertTrue(
        logged.get(0).contains("'港口的船': the model's vocabulary barely knows \"港口的船\""),
        logged.get(0));
    assertTrue(logged.get(1).contains("its end was cut"), logged.get(1));
  }

  @Test
  void badInputsGiveSpecificErrors() throws Exception {
    GridCoverage2D standard = TestCoverages.standard();
    assertEquals(
        "query is empty: describe the objects to find, e.g. 'white storage tanks'",
        rootMessage(assertThrows(ProcessException.class, () -> run(inputs(standard, "  "), null))));
    assertEquals(
        "query holds no visible character (only U+00A0, U+200B): describe the objects to find,"
            + " e.g. 'white storage tanks'",
        rootMessage(
            assertThrows(
                ProcessException.class, () -> run(inputs(standard, "\u00a0\u200b\u00a0"), null))));
    assertEquals(
        "query contains the control character U+0007 at position 6: give the words alone",
        rootMessage(
            assertThrows(
                ProcessException.class, () -> run(inputs(standard, "tanks\u0007"), null))));

    Map<String, Object> in = inputs(standard, "tanks");
    in.put("bands", "1,2,4");
    assertEquals(
        "band 4 requested, the raster has 3 bands (numbered from 1)",
        rootMessage(assertThrows(ProcessException.class, () -> run(in, null))));
    in.put("bands", "1;2;3");
    assertTrue(
        rootMessage(assertThrows(ProcessException.class, () -> run(in, null)))
            .startsWith("bands '1;2;3' not understood"));
    in.put("bands", "1,2");
    assertEquals(
        "bands lists 2 bands (1,2), the model takes 3",
        rootMessage(assertThrows(ProcessException.class, () -> run(in, null))));
    in.remove("bands");
    in.put("scale", "bits:0");
    assertTrue(
        rootMessage(assertThrows(ProcessException.class, () -> run(in, null)))
            .startsWith("scale 'bits:0' not understood (bits must be 1 to 32, got 0): give auto,"));
    in.remove("scale");
    in.remove("bands");

    in.put("threshold", 1.5);
    assertEquals(
        "threshold must be between 0 and 1 (exclusive), got 1.5",
        rootMessage(assertThrows(ProcessException.class, () -> run(in, null))));
    in.remove("threshold");

    in.put("roi", GF.toGeometry(new Envelope(0, 10, 0, 10)));
    assertTrue(
        rootMessage(assertThrows(ProcessException.class, () -> run(in, null)))
            .contains("does not overlap the raster"));
    in.put(
        "roi",
        GF.createPoint(new Coordinate(TestCoverages.ORIGIN_X + 5, TestCoverages.ORIGIN_Y - 5)));
    assertTrue(
        rootMessage(assertThrows(ProcessException.class, () -> run(in, null)))
            .startsWith("roi must be a Polygon or MultiPolygon"));
    in.remove("roi");

    System.setProperty("diffris.maxPixels", "10000");
    assertEquals(
        "the request covers 30000 pixels (200 x 150 pixels at column 0, row 0), above "
            + "this server's limit of 10000 (diffris.maxPixels / DIFFRIS_MAX_PIXELS); give a smaller "
            + "roi or a coarser coverage",
        rootMessage(assertThrows(ProcessException.class, () -> run(in, null))));
    System.setProperty("diffris.maxPixels", "lots");
    assertTrue(
        rootMessage(assertThrows(ProcessException.class, () -> run(in, null)))
            .contains("diffris.maxPixels / DIFFRIS_MAX_PIXELS is 'lots'"));
    System.clearProperty("diffris.maxPixels");

    GridCoverage2D noCrs =
        TestCoverages.coverage(
            TestCoverages.scene(50, 50, new int[0][]),
            new AffineTransform(0.5, 0, 0, -0.5, 0, 0),
            null);
    String noCrsMessage =
        rootMessage(assertThrows(ProcessException.class, () -> run(inputs(noCrs, "x"), null)));
    assertTrue(
        noCrsMessage.startsWith("the coverage has no coordinate reference system"), noCrsMessage);

    GridCoverage2D custom =
        TestCoverages.coverage(
            TestCoverages.scene(50, 50, new int[0][]),
            new AffineTransform(0.5, 0, 0, -0.5, 0, 0),
            CRS.parseWKT(
                "PROJCS[\"made up\",GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,"
                    + "298.257223563]],PRIMEM[\"Greenwich\",0],UNIT[\"degree\",0.0174532925199433]],"
                    + "PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"latitude_of_origin\",1.234],"
                    + "PARAMETER[\"central_meridian\",7.891],PARAMETER[\"scale_factor\",0.9871],"
                    + "PARAMETER[\"false_easting\",12345],PARAMETER[\"false_northing\",0],UNIT[\"metre\",1]]"));
    assertEquals(
        "the coverage's CRS 'made up' matches no EPSG code; the output layer needs one "
            + "(gs:Import and WFS name CRSs by code): declare an EPSG CRS for the layer in GeoServer "
            + "or reproject the raster",
        rootMessage(assertThrows(ProcessException.class, () -> run(inputs(custom, "x"), null))));
    assertNotNull(DefaultGeographicCRS.WGS84);
  }

  static String rootMessage(Throwable t) {
    // The factory may wrap our ProcessException; the first message of ours is what users see.
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ProcessException && c.getCause() == null
          || c instanceof ProcessException
              && !(c.getCause() instanceof ProcessException)
              && !(c.getCause() instanceof java.lang.reflect.InvocationTargetException)) {
        return c.getMessage();
      }
    }
    return t.getMessage();
  }

  static List<Throwable> causes(Throwable t) {
    List<Throwable> all = new ArrayList<>();
    for (Throwable c = t; c != null; c = c.getCause()) {
      all.add(c);
    }
    return all;
  }

  static Path unused() {
    return null;
  }

  static Map<String, Serializable> none() {
    return Map.of();
  }
}
