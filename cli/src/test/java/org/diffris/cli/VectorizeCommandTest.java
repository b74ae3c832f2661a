package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.GeoPackageContents;
import org.diffris.cli.testing.GeoPackageContents.Feature;
import org.diffris.cli.testing.RasterOracle;
import org.diffris.cli.testing.TestRasters;
import org.json.simple.JSONArray;
import org.json.simple.JSONObject;
import org.json.simple.parser.JSONParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.algorithm.Orientation;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.io.geojson.GeoJsonReader;

/**
 * {@code diffris vectorize} on the sample masks, checked against expectations computed
 * independently from the raster (pixel counts, flood-fill region counts, cell areas).
 */
class VectorizeCommandTest {
  private static final double US_SURVEY_FOOT = 1200.0 / 3937.0;

  @TempDir Path dir;

  private GeoPackageContents vectorize(String mask, String... extra) throws Exception {
    Path out = dir.resolve(mask.replace(".tif", ".gpkg"));
    List<String> args =
        new ArrayList<>(
            List.of(
                "vectorize", "--mask", Cli.sampleMask(mask).toString(), "--out", out.toString()));
    args.addAll(List.of(extra));
    Cli run = Cli.run(args.toArray(String[]::new));
    assertEquals(0, run.exitCode, run.err);
    assertEquals("", run.err);
    GeoPackageContents gpkg = GeoPackageContents.read(out);
    Map<String, String> summary = run.summary();
    assertEquals(gpkg.features.size(), Integer.parseInt(summary.get("polygons")));
    long pixels = gpkg.features.stream().mapToLong(f -> (long) f.number("pixels")).sum();
    assertEquals(pixels, Long.parseLong(summary.get("pixels")));
    double area = gpkg.features.stream().mapToDouble(f -> f.number("area")).sum();
    assertEquals(area, Double.parseDouble(summary.get("area_m2")), 0.01);
    assertTrue(Long.parseLong(summary.get("ms")) >= 0);
    for (Feature f : gpkg.features) {
      assertTrue(f.geometry().isValid(), "invalid geometry " + f.geometry());
    }
    return gpkg;
  }

  @Test
  void utmByteMaskGivesOneValidPolygonPerRegionWithExactAreas() throws Exception {
    Path mask = Cli.sampleMask("blobs_utm.tif");
    RasterOracle oracle = RasterOracle.read(mask, 1, Double.NaN);
    GeoPackageContents gpkg = vectorize("blobs_utm.tif");

    assertEquals(0x47504B47, gpkg.applicationId);
    assertEquals("blobs_utm", gpkg.layer);
    assertEquals("POLYGON", gpkg.geometryType);
    assertEquals(32633, gpkg.srsId);
    assertEquals("EPSG", gpkg.organization);
    assertEquals(32633, gpkg.organizationCode);
    assertTrue(gpkg.definition.contains("UTM zone 33N"), gpkg.definition);
    assertEquals(List.of("fid", "geom", "area", "pixels", "source", "run_id"), gpkg.columns);
    // The mask's file name, and one run id on every polygon of the run.
    assertTrue(
        gpkg.features.stream().allMatch(f -> "blobs_utm.tif".equals(f.attributes().get("source"))));
    assertEquals(
        1, gpkg.features.stream().map(f -> f.attributes().get("run_id")).distinct().count());

    assertEquals(oracle.regions(false), gpkg.features.size());
    long pixels = 0;
    for (Feature f : gpkg.features) {
      assertTrue(f.geometry() instanceof Polygon);
      double expected = f.number("pixels") * 0.25; // 0.5 m pixels
      assertEquals(expected, f.number("area"), 1e-9);
      assertEquals(expected, f.geometry().getArea(), 1e-6);
      pixels += (long) f.number("pixels");
    }
    assertEquals(oracle.maskPixels(), pixels);
    // The ring in the middle comes out as a polygon with a hole.
    assertTrue(
        gpkg.features.stream().anyMatch(f -> ((Polygon) f.geometry()).getNumInteriorRing() > 0));
  }

  @Test
  void eightConnectivityJoinsRegionsTouchingByCorners() throws Exception {
    RasterOracle oracle = RasterOracle.read(Cli.sampleMask("blobs_utm.tif"), 1, Double.NaN);
    GeoPackageContents gpkg = vectorize("blobs_utm.tif", "--connectivity", "8");
    assertEquals(oracle.regions(true), gpkg.features.size());
    assertTrue(oracle.regions(true) < oracle.regions(false), "fixture must have corner contacts");
    assertEquals("MULTIPOLYGON", gpkg.geometryType);
  }

  @Test
  void geographicMaskHasGeodesicAreas() throws Exception {
    Path mask = Cli.sampleMask("blobs_wgs84.tif");
    RasterOracle oracle = RasterOracle.read(mask, 1, Double.NaN);
    GeoPackageContents gpkg = vectorize("blobs_wgs84.tif");
    assertEquals(4326, gpkg.srsId);
    assertEquals(oracle.regions(false), gpkg.features.size());

    // Cell areas on the ellipsoid (midpoint rule), rows counted from the raster: 48.3 N, 1e-4 deg.
    double expected = 0;
    for (int row = 0; row < oracle.height; row++) {
      double lat = 48.3 - (row + 0.5) * 1e-4;
      expected += oracle.maskPixelsInRow(row) * ellipsoidCellArea(lat, 1e-4, 1e-4);
    }
    double actual = gpkg.features.stream().mapToDouble(f -> f.number("area")).sum();
    assertEquals(expected, actual, expected * 1e-6);
    // x is longitude, y latitude.
    Geometry first = gpkg.features.get(0).geometry();
    assertTrue(first.getEnvelopeInternal().getMinX() >= 16.0 - 1e-9, first.toString());
    assertTrue(first.getEnvelopeInternal().getMaxY() <= 48.3 + 1e-9, first.toString());
  }

  /** Area of a lat/lon cell on WGS84: a^2 (1 - e^2) cos(phi) / (1 - e^2 sin^2 phi)^2 dphi dlambda. */
  private static double ellipsoidCellArea(double latDeg, double dLatDeg, double dLonDeg) {
    double a = 6378137.0;
    double f = 1 / 298.257223563;
    double e2 = f * (2 - f);
    double phi = Math.toRadians(latDeg);
    double s = Math.sin(phi);
    return a
        * a
        * (1 - e2)
        * Math.cos(phi)
        / Math.pow(1 - e2 * s * s, 2)
        * Math.toRadians(dLatDeg)
        * Math.toRadians(dLonDeg);
  }

  @Test
  void rotatedGridKeepsPixelAreas() throws Exception {
    RasterOracle oracle = RasterOracle.read(Cli.sampleMask("blobs_rotated.tif"), 1, Double.NaN);
    GeoPackageContents gpkg = vectorize("blobs_rotated.tif");
    assertEquals(oracle.regions(false), gpkg.features.size());
    for (Feature f : gpkg.features) {
      assertEquals(f.number("pixels"), f.number("area"), 1e-6); // 1 m pixels
      assertEquals(f.number("pixels"), f.geometry().getArea(), 1e-6);
    }
    // The raster is rotated by 30 degrees: edges are not axis-parallel.
    Polygon p = (Polygon) gpkg.features.get(0).geometry();
    var c = p.getExteriorRing().getCoordinates();
    double angle = Math.toDegrees(Math.atan2(c[1].y - c[0].y, c[1].x - c[0].x));
    double folded = ((angle % 90) + 90) % 90;
    assertEquals(30.0, folded, 1e-6, "edge angle " + angle);
  }

  @Test
  void usFeetRasterAreasAreConvertedToSquareMetres() throws Exception {
    Path mask = Cli.sampleMask("counts_ftus_uint16.tif");
    RasterOracle oracle = RasterOracle.read(mask, 1, Double.NaN);
    GeoPackageContents gpkg = vectorize("counts_ftus_uint16.tif");
    assertEquals(2263, gpkg.srsId);
    // Nodata (65535) is non-zero but never part of the mask: the oracle excludes it.
    assertEquals(
        oracle.maskPixels(),
        gpkg.features.stream().mapToLong(f -> (long) f.number("pixels")).sum());
    for (Feature f : gpkg.features) {
      double squareFeet = f.number("pixels") * 4.0; // 2 ft pixels
      assertEquals(squareFeet, f.geometry().getArea(), 1e-6);
      assertEquals(squareFeet * US_SURVEY_FOOT * US_SURVEY_FOOT, f.number("area"), 1e-6);
    }
  }

  @Test
  void probabilitiesAreThresholdedAndNodataIgnored() throws Exception {
    Path mask = Cli.sampleMask("probabilities_3857_nodata.tif");
    RasterOracle oracle = RasterOracle.read(mask, 1, 0.5);
    GeoPackageContents gpkg = vectorize("probabilities_3857_nodata.tif", "--threshold", "0.5");
    assertEquals(3857, gpkg.srsId);
    assertTrue(gpkg.columns.contains("score"));
    assertEquals(oracle.regions(false), gpkg.features.size());
    assertEquals(
        oracle.maskPixels(),
        gpkg.features.stream().mapToLong(f -> (long) f.number("pixels")).sum());
    for (Feature f : gpkg.features) {
      double mean = f.number("score");
      assertTrue(mean >= 0.5 && mean <= 1.0, "score " + mean);
    }
  }

  @Test
  void floatBandWithoutThresholdTakesNonZeroValidPixels() throws Exception {
    Path mask = Cli.sampleMask("probabilities_3857_nodata.tif");
    RasterOracle oracle = RasterOracle.read(mask, 1, Double.NaN);
    GeoPackageContents gpkg = vectorize("probabilities_3857_nodata.tif");
    assertFalse(gpkg.columns.contains("score"));
    assertEquals(
        oracle.maskPixels(),
        gpkg.features.stream().mapToLong(f -> (long) f.number("pixels")).sum());
  }

  @Test
  void filtersKeepTheLargestPolygons() throws Exception {
    GeoPackageContents all = vectorize("blobs_utm.tif");
    Files.delete(dir.resolve("blobs_utm.gpkg"));
    GeoPackageContents top = vectorize("blobs_utm.tif", "--max-features", "3");
    assertEquals(3, top.features.size());
    List<Double> areas =
        all.features.stream()
            .map(f -> f.number("area"))
            .sorted((a, b) -> Double.compare(b, a))
            .toList();
    assertEquals(
        areas.subList(0, 3),
        top.features.stream()
            .map(f -> f.number("area"))
            .sorted((a, b) -> Double.compare(b, a))
            .toList());

    Files.delete(dir.resolve("blobs_utm.gpkg"));
    GeoPackageContents big = vectorize("blobs_utm.tif", "--min-area", "100");
    assertEquals(areas.stream().filter(a -> a >= 100).count(), big.features.size());
  }

  @Test
  void simplifyKeepsAreasAttributesAndValidity() throws Exception {
    GeoPackageContents exact = vectorize("blobs_utm.tif");
    Files.delete(dir.resolve("blobs_utm.gpkg"));
    GeoPackageContents simple = vectorize("blobs_utm.tif", "--simplify", "1.0");
    assertEquals(exact.features.size(), simple.features.size());
    long exactVertices = exact.features.stream().mapToLong(f -> f.geometry().getNumPoints()).sum();
    long simpleVertices =
        simple.features.stream().mapToLong(f -> f.geometry().getNumPoints()).sum();
    assertTrue(simpleVertices < exactVertices, simpleVertices + " >= " + exactVertices);
  }

  @Test
  void geoJsonIsWgs84LonLatWithRightHandRule() throws Exception {
    GeoPackageContents gpkg = vectorize("blobs_utm.tif");
    Path out = dir.resolve("blobs.geojson");
    Cli.vectorizeSample("blobs_utm.tif", out);

    JSONObject collection;
    try (Reader r = Files.newBufferedReader(out)) {
      collection = (JSONObject) new JSONParser().parse(r);
    }
    assertEquals("FeatureCollection", collection.get("type"));
    assertNull(collection.get("crs"));
    JSONArray features = (JSONArray) collection.get("features");
    assertEquals(gpkg.features.size(), features.size());
    GeoJsonReader reader = new GeoJsonReader();
    double areaSum = 0;
    for (Object o : features) {
      JSONObject feature = (JSONObject) o;
      JSONObject properties = (JSONObject) feature.get("properties");
      areaSum += ((Number) properties.get("area")).doubleValue();
      assertTrue(properties.containsKey("pixels"));
      Polygon p = (Polygon) reader.read(feature.get("geometry").toString());
      assertTrue(p.isValid());
      assertTrue(Orientation.isCCW(p.getExteriorRing().getCoordinates()), "shell not CCW");
      for (int i = 0; i < p.getNumInteriorRing(); i++) {
        assertFalse(Orientation.isCCW(p.getInteriorRingN(i).getCoordinates()), "hole not CW");
      }
      // UTM 33N easting 500000 is the 15 E meridian; northing 5.3e6 is about 47.8 N.
      var e = p.getEnvelopeInternal();
      assertTrue(e.getMinX() > 14.99 && e.getMaxX() < 15.01, e.toString());
      assertTrue(e.getMinY() > 47.8 && e.getMaxY() < 47.9, e.toString());
    }
    double gpkgArea = gpkg.features.stream().mapToDouble(f -> f.number("area")).sum();
    assertEquals(gpkgArea, areaSum, 1e-3);
  }

  @Test
  void emptyMaskGivesAnEmptyButValidLayer() throws Exception {
    Path zeros = TestRasters.byteMask(dir.resolve("zeros.tif"), 50, 40, new byte[2000]);
    Path out = dir.resolve("zeros.gpkg");
    Cli run = Cli.run("vectorize", "--mask", zeros.toString(), "--out", out.toString());
    assertEquals(0, run.exitCode, run.err);
    assertEquals("0", run.summary().get("polygons"));
    GeoPackageContents gpkg = GeoPackageContents.read(out);
    assertEquals(0, gpkg.features.size());
    assertEquals(32633, gpkg.srsId);
  }

  @Test
  void fullMaskIsOneRectangle() throws Exception {
    byte[] ones = new byte[2000];
    java.util.Arrays.fill(ones, (byte) 1);
    Path full = TestRasters.byteMask(dir.resolve("ones.tif"), 50, 40, ones);
    Path out = dir.resolve("ones.geojson");
    Cli run =
        Cli.run(
            "vectorize", "--mask", full.toString(), "--out", out.toString(), "--connectivity", "8");
    assertEquals(0, run.exitCode, run.err);
    assertEquals("1", run.summary().get("polygons"));
    assertEquals("2000", run.summary().get("pixels"));
    assertEquals(2000.0, Double.parseDouble(run.summary().get("area_m2")), 1e-6);
  }

  @Test
  void overwriteReplacesAnExistingOutput() throws Exception {
    Path out = dir.resolve("o.gpkg");
    Files.writeString(out, "old");
    Cli run =
        Cli.run(
            "vectorize",
            "--mask",
            Cli.sampleMask("blobs_utm.tif").toString(),
            "--out",
            out.toString(),
            "--overwrite");
    assertEquals(0, run.exitCode, run.err);
    assertEquals(32633, GeoPackageContents.read(out).srsId);
    try (var files = Files.list(dir)) {
      assertEquals(List.of(out), files.toList(), "temporary file left behind");
    }
  }
}
