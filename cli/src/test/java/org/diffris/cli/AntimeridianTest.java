package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.Gdal;
import org.diffris.cli.testing.TestRasters;
import org.json.simple.JSONArray;
import org.json.simple.JSONObject;
import org.json.simple.parser.JSONParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.geojson.GeoJsonReader;
import org.locationtech.jts.operation.overlayng.OverlayNG;
import org.locationtech.jts.operation.overlayng.OverlayNGRobust;

/**
 * GeoJSON output of masks lying across the antimeridian or around a pole: polygons are cut at
 * 180° as RFC 7946 asks, never drawn around the globe; GDAL's {@code ogr2ogr -wrapdateline} is the
 * peer for the cut.
 */
class AntimeridianTest {
  @TempDir Path folder;

  /**
   * The sample mask (400 x 300 half-metre pixels) placed across 180°: in UTM zone 60 (east of
   * its meridian), in UTM zone 1 (west of it), and in longitude/latitude running past 180.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "EPSG:32660, 829800 996300 830000 996150",
    "EPSG:32601, 170030 996300 170230 996150",
    "EPSG:4326, 179.999 9.0007 180.0008 8.9993"
  })
  void polygonsAcross180AreCutLikeGdalCutsThem(String crs, String corners) throws Exception {
    assumeTrue(Gdal.onPath("ogr2ogr"), Gdal.SKIP_MESSAGE);
    Path mask = folder.resolve("mask.tif");
    String[] ullr = corners.split(" ");
    Gdal.translate(
        Cli.sampleMask("blobs_utm.tif"),
        mask,
        "-a_srs",
        crs,
        "-a_ullr",
        ullr[0],
        ullr[1],
        ullr[2],
        ullr[3]);
    Path ours = folder.resolve("ours.geojson");
    Path gpkg = folder.resolve("ours.gpkg");
    assertEquals(0, vectorize(mask, ours).exitCode);
    assertEquals(0, vectorize(mask, gpkg).exitCode);
    Path theirs = folder.resolve("gdal.geojson");
    Gdal.run(
        List.of(
            "ogr2ogr",
            "-f",
            "GeoJSON",
            "-lco",
            "COORDINATE_PRECISION=9",
            "-t_srs",
            "EPSG:4326",
            "-wrapdateline",
            theirs.toString(),
            gpkg.toString()));

    List<Geometry> ourFeatures = geometries(ours);
    List<Geometry> gdalFeatures = geometries(theirs);
    assertEquals(gdalFeatures.size(), ourFeatures.size());
    int cut = 0;
    for (int i = 0; i < ourFeatures.size(); i++) {
      Geometry our = ourFeatures.get(i);
      assertTrue(our.isValid(), "feature " + i + " invalid: " + our);
      for (Coordinate c : our.getCoordinates()) {
        assertTrue(c.x >= -180 && c.x <= 180, "feature " + i + " reaches longitude " + c.x);
      }
      assertTrue(
          our.getEnvelopeInternal().getWidth() < 0.01 || our.getNumGeometries() > 1,
          "feature " + i + " spans the globe: " + our.getEnvelopeInternal());
      Geometry gdal = gdalFeatures.get(i);
      // Equal up to the rounding of both files to 9 decimals: a band 2e-9° wide along the edges.
      double differ = OverlayNGRobust.overlay(our, gdal, OverlayNG.SYMDIFFERENCE).getArea();
      assertTrue(
          differ < 2e-9 * gdal.getLength(),
          "feature "
              + i
              + " differs from GDAL's by "
              + differ
              + " deg², perimeter "
              + gdal.getLength());
      cut += our.getNumGeometries() > 1 ? 1 : 0;
    }
    assertTrue(cut >= 1, "no feature lies across 180°: the fixture missed the meridian");
  }

  /**
   * A ring of mask pixels around the north pole (polar stereographic), its hole over the pole:
   * the GeoJSON ring covers every longitude at the ring's latitude and leaves the pole out.
   */
  @Test
  void aRingAroundThePoleKeepsThePoleOut() throws Exception {
    assumeTrue(Gdal.onPath("gdal_translate"), Gdal.SKIP_MESSAGE);
    int size = 100; // 1 m pixels, the pole at the centre
    byte[] values = new byte[size * size];
    for (int row = 0; row < size; row++) {
      for (int col = 0; col < size; col++) {
        double r = Math.hypot(col + 0.5 - size / 2.0, row + 0.5 - size / 2.0);
        values[row * size + col] = (byte) (r >= 10 && r <= 40 ? 1 : 0);
      }
    }
    Path plain = TestRasters.byteMask(folder.resolve("plain.tif"), size, size, values);
    Path mask = folder.resolve("pole.tif");
    Gdal.translate(plain, mask, "-a_srs", "EPSG:3995", "-a_ullr", "-50", "50", "50", "-50");
    Path out = folder.resolve("pole.geojson");
    Cli run = vectorize(mask, out);
    assertEquals(0, run.exitCode, run.err);
    List<Geometry> features = geometries(out);
    assertEquals(1, features.size());
    Geometry ring = features.get(0);
    assertTrue(ring.isValid(), ring.toString());
    GeometryFactory factory = new GeometryFactory();
    for (String metres : List.of("25 0", "1 25", "-1 25", "-25 0", "0 -25", "17 17", "-17 -17")) {
      assertTrue(ring.contains(factory.createPoint(lonLat(metres))), "ring lacks " + metres);
    }
    for (String metres : List.of("3 0", "0 -3", "-2 2", "45 45")) {
      assertFalse(ring.contains(factory.createPoint(lonLat(metres))), "ring holds " + metres);
    }
  }

  private Cli vectorize(Path mask, Path out) {
    Cli run = Cli.run("vectorize", "--mask", mask.toString(), "--out", out.toString());
    assertEquals(0, run.exitCode, run.err);
    return run;
  }

  /** Where GDAL puts a point given in EPSG:3995 metres, as longitude, latitude. */
  private Coordinate lonLat(String metres) throws Exception {
    Path point = Files.writeString(folder.resolve("point.txt"), metres + "\n");
    String[] lonLat =
        Gdal.run(
                List.of(
                    "sh",
                    "-c",
                    "gdaltransform -s_srs EPSG:3995 -t_srs EPSG:4326 < \"$0\"",
                    point.toString()))
            .strip()
            .split("\\s+");
    return new Coordinate(Double.parseDouble(lonLat[0]), Double.parseDouble(lonLat[1]));
  }

  private static List<Geometry> geometries(Path geojson) throws Exception {
    JSONObject collection;
    try (Reader r = Files.newBufferedReader(geojson)) {
      collection = (JSONObject) new JSONParser().parse(r);
    }
    GeoJsonReader reader = new GeoJsonReader();
    List<Geometry> geometries = new ArrayList<>();
    for (Object feature : (JSONArray) collection.get("features")) {
      geometries.add(reader.read(((JSONObject) feature).get("geometry").toString()));
    }
    return geometries;
  }
}
