package org.diffris.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.diffris.geotools.GeoTiffRaster;
import org.diffris.geotools.SpatialReference;
import org.diffris.pipeline.AreaOfInterest;
import org.diffris.pipeline.InvalidInputException;
import org.diffris.pipeline.OutputSchema;
import org.geotools.api.referencing.operation.MathTransform;
import org.geotools.coverage.grid.GridCoverageFactory;
import org.geotools.gce.geotiff.GeoTiffWriter;
import org.geotools.geometry.jts.JTS;
import org.geotools.geometry.jts.ReferencedEnvelope;
import org.geotools.referencing.CRS;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.WKTReader;

/**
 * {@code --roi} as written on a command line: WKT with its CRS, EWKT, GeoJSON (with and without a
 * crs member) and GeoPackage, reprojected to the raster's CRS; every bad input refused with what
 * is accepted; a file read is left as it was.
 */
class RoiArgumentTest {
  private static final String UTM_BOX =
      "POLYGON ((500010 5299990, 500150 5299990, 500150 5299900, 500010 5299900,"
          + " 500010 5299990))";
  @TempDir static Path dir;
  private static GeoTiffRaster raster;

  @BeforeAll
  static void fixtures() throws Exception {
    // 200 x 150 px of 1 m from (500000, 5300000), EPSG:32633.
    BufferedImage image = new BufferedImage(200, 150, BufferedImage.TYPE_3BYTE_BGR);
    Path tif = dir.resolve("scene.tif");
    GeoTiffWriter writer = new GeoTiffWriter(tif.toFile());
    try {
      writer.write(
          new GridCoverageFactory()
              .create(
                  "scene",
                  image,
                  new ReferencedEnvelope(
                      500000, 500200, 5299850, 5300000, CRS.decode("EPSG:32633"))),
          null);
    } finally {
      writer.dispose();
    }
    raster = GeoTiffRaster.open(tif);
  }

  private static Geometry utm(String wkt) throws Exception {
    return new WKTReader().read(wkt);
  }

  /** The box in longitude/latitude (x = longitude), vertex by vertex. */
  private static Geometry lonLat(Geometry g) throws Exception {
    MathTransform t =
        CRS.findMathTransform(CRS.decode("EPSG:32633"), CRS.decode("EPSG:4326", true), true);
    return JTS.transform(g, t);
  }

  private static void assertNear(Geometry expected, Geometry got, double tolerance) {
    Coordinate[] e = expected.getCoordinates();
    Coordinate[] g = got.getCoordinates();
    assertEquals(e.length, g.length, got.toString());
    for (int i = 0; i < e.length; i++) {
      assertEquals(e[i].x, g[i].x, tolerance, got.toString());
      assertEquals(e[i].y, g[i].y, tolerance, got.toString());
    }
  }

  @Test
  void wktWithItsCrsAndEwktGiveTheAreaInTheRastersCrs() throws Exception {
    AreaOfInterest same = RoiArgument.read(UTM_BOX, "EPSG:32633", null).in(raster);
    assertTrue(same.geometry().equalsExact(utm(UTM_BOX)), "the raster's CRS: taken as it is");
    assertTrue(
        RoiArgument.read("SRID=32633;" + UTM_BOX, null, null)
            .in(raster)
            .geometry()
            .equalsExact(utm(UTM_BOX)));
    String degrees = lonLat(utm(UTM_BOX)).toText();
    assertNear(
        utm(UTM_BOX), RoiArgument.read(degrees, "EPSG:4326", null).in(raster).geometry(), 1e-6);
    assertNear(
        utm(UTM_BOX),
        RoiArgument.read("SRID=4326;" + degrees, null, null).in(raster).geometry(),
        1e-6);
  }

  @Test
  void geoJsonIsLongitudeLatitudeUnlessItsCrsMemberSaysOtherwise() throws Exception {
    Geometry degrees = lonLat(utm(UTM_BOX));
    Path plain = dir.resolve("box.geojson");
    Files.writeString(
        plain,
        "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"properties\":"
            + " {\"name\": \"a\"}, \"geometry\": "
            + new org.locationtech.jts.io.geojson.GeoJsonWriter(15).write(degrees)
            + "}]}");
    FileTime before = Files.getLastModifiedTime(plain);
    byte[] bytes = Files.readAllBytes(plain);
    AreaOfInterest a = RoiArgument.read(plain.toString(), null, null).in(raster);
    assertNear(utm(UTM_BOX), a.geometry(), 1e-6);
    assertEquals("roi box.geojson", a.source());
    assertArrayEquals(bytes, Files.readAllBytes(plain), "an roi file is never written");
    assertEquals(before, Files.getLastModifiedTime(plain));

    // A file is a file whatever its name, even one that starts like WKT.
    Path polygon = Files.copy(plain, dir.resolve("polygon.geojson"));
    assertNear(
        utm(UTM_BOX), RoiArgument.read(polygon.toString(), null, null).in(raster).geometry(), 1e-6);

    Path named = dir.resolve("utm.geojson");
    Files.writeString(
        named,
        "{\"type\": \"Feature\", \"crs\": {\"type\": \"name\", \"properties\": {\"name\":"
            + " \"urn:ogc:def:crs:EPSG::32633\"}}, \"properties\": {}, \"geometry\": "
            + new org.locationtech.jts.io.geojson.GeoJsonWriter(15).write(utm(UTM_BOX))
            + "}");
    assertTrue(
        RoiArgument.read(named.toString(), null, null)
            .in(raster)
            .geometry()
            .equalsExact(utm(UTM_BOX)));
  }

  @Test
  void aGeoPackageLayerIsReadReadOnlyAndSeveralLayersNeedOneNamed() throws Exception {
    Path one = layer("one.gpkg", "fields", utm(UTM_BOX));
    byte[] bytes = Files.readAllBytes(one);
    try (var siblings = Files.list(dir)) {
      long count = siblings.count();
      AreaOfInterest a = RoiArgument.read(one.toString(), null, null).in(raster);
      assertTrue(a.geometry().equalsExact(utm(UTM_BOX)), a.geometry().toString());
      try (var after = Files.list(dir)) {
        assertEquals(count, after.count(), "no journal or lock file beside the GeoPackage");
      }
    }
    assertArrayEquals(bytes, Files.readAllBytes(one), "an roi file is never written");

    Path two = layer("two.gpkg", "fields", utm(UTM_BOX));
    Path other =
        layer(
            "other.gpkg",
            "parks",
            utm(
                "POLYGON ((500000 5300000, 500050 5300000, 500050 5299950, 500000 5299950,"
                    + " 500000 5300000))"));
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + two);
        Statement s = db.createStatement()) {
      s.execute("ATTACH DATABASE '" + other + "' AS o");
      s.execute("CREATE TABLE parks AS SELECT * FROM o.parks");
      s.execute("INSERT INTO gpkg_contents SELECT * FROM o.gpkg_contents");
      s.execute("INSERT INTO gpkg_geometry_columns SELECT * FROM o.gpkg_geometry_columns");
    }
    assertEquals(
        "--roi " + two + " has 2 feature layers (fields, parks); name one with --roi-layer",
        message(two.toString(), null, null));
    assertEquals(
        2500,
        RoiArgument.read(two.toString(), null, "parks").in(raster).geometry().getArea(),
        1e-6);
    assertEquals(
        "--roi-layer roads is not a feature layer of " + two + "; it has fields, parks",
        message(two.toString(), null, "roads"));
  }

  private static Path layer(String name, String layer, Geometry g) throws Exception {
    Path file = dir.resolve(name);
    SpatialReference utm = SpatialReference.of(CRS.decode("EPSG:32633"));
    try (GeoPackageWriter w =
        new GeoPackageWriter(
            file, layer, utm, false, List.of(new OutputSchema.Field("name", String.class, true)))) {
      w.add(g, new Object[] {"a"});
      w.finish();
    }
    return file;
  }

  private static String message(String roi, String crs, String layer) {
    return assertThrows(
            InvalidInputException.class, () -> RoiArgument.read(roi, crs, layer).in(raster))
        .getMessage();
  }

  @Test
  void badInputIsRefusedSayingWhatIsAccepted() throws Exception {
    assertTrue(
        message("POLYGON ((1 2, 3 4", "EPSG:32633", null)
            .startsWith("--roi is not WKT that can be read ("));
    assertTrue(message(UTM_BOX, null, null).startsWith("--roi is WKT without a CRS;"));
    String unknown = message(UTM_BOX, "EPSG:99999", null);
    assertTrue(
        unknown.startsWith("--roi-crs 'EPSG:99999' is not a CRS this tool knows ("), unknown);
    assertTrue(
        message("SRID=nope;" + UTM_BOX, null, null).startsWith("--roi's SRID 'nope' is not"));
    Path notes = Files.writeString(dir.resolve("notes.txt"), "a field near the river\n");
    assertEquals(
        "--roi "
            + notes
            + " is neither a GeoJSON nor a GeoPackage file; give WKT with its CRS ('POLYGON"
            + " ((...))' with --roi-crs EPSG:n, or 'SRID=n;POLYGON ((...))'), or a GeoJSON or"
            + " GeoPackage file (convert others with ogr2ogr -f GPKG out.gpkg in.shp)",
        message(notes.toString(), null, null));
    assertTrue(
        message("fields.gpkg", null, null)
            .startsWith("--roi 'fields.gpkg' is neither WKT" + " nor an existing file;"));
    Path broken = Files.writeString(dir.resolve("broken.geojson"), "{\"type\": \"Polygon\", ");
    assertTrue(
        message(broken.toString(), null, null)
            .startsWith("--roi " + broken + " is not valid JSON"));
    Path empty =
        Files.writeString(
            dir.resolve("empty.geojson"), "{\"type\": \"FeatureCollection\", \"features\": []}");
    assertTrue(message(empty.toString(), null, null).startsWith("roi empty.geojson is empty;"));
    assertTrue(
        message("SRID=32633;LINESTRING (500010 5299990, 500100 5299900)", null, null)
            .contains(
                "got a LineString; for the ground along a line or round points, buffer them"));
    AreaOfInterest gulfOfGuinea =
        RoiArgument.read("SRID=4326;POLYGON ((0 0, 1 0, 1 1, 0 1, 0 0))", null, null).in(raster);
    String outside =
        assertThrows(
                InvalidInputException.class,
                () ->
                    gulfOfGuinea.window(
                        raster.pixelToWorld(), raster.width(), raster.height(), "EPSG:32633"))
            .getMessage();
    assertTrue(
        outside.contains(") does not overlap the raster (x 500000.0000 to 500200.0000"), outside);
  }
}
