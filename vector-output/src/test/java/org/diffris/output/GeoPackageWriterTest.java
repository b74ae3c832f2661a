package org.diffris.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.diffris.geotools.SpatialReference;
import org.diffris.pipeline.OutputSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.WKBReader;

/**
 * A layer with columns beyond the output schema's (what the Spark job adds): every value comes
 * back in its column, polygons are promoted in a MULTIPOLYGON layer, the extent is the features'.
 */
class GeoPackageWriterTest {
  @TempDir Path dir;

  @Test
  void extraColumnsAndValuesComeBackInOrder() throws Exception {
    Path file = dir.resolve("answers.gpkg");
    List<OutputSchema.Field> columns =
        List.of(
            OutputSchema.QUERY,
            OutputSchema.SCORE,
            OutputSchema.PIXELS,
            OutputSchema.AT_EDGE,
            new OutputSchema.Field("source", String.class, true));
    SpatialReference wgs84 = new SpatialReference(4326, "WGS 84", "GEOGCS[\"WGS 84\"]");
    GeometryFactory f = new GeometryFactory();
    Geometry a = f.toGeometry(new Envelope(10, 11, 45, 46));
    Geometry b = f.toGeometry(new Envelope(12, 13, 44, 45));
    try (GeoPackageWriter w = new GeoPackageWriter(file, "answers", wgs84, true, columns)) {
      w.add(a, new Object[] {"tanks", 0.75, 12L, false, "s3a://b/one.tif"});
      w.add(b, new Object[] {"tanks", Double.NaN, 3L, true, "s3a://b/two.tif"});
      assertThrows(IllegalArgumentException.class, () -> w.add(a, new Object[] {"too few"}));
      w.finish();
    }
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = db.createStatement()) {
      try (ResultSet r =
          s.executeQuery(
              "SELECT geometry_type_name, srs_id FROM gpkg_geometry_columns WHERE table_name ="
                  + " 'answers'")) {
        assertEquals("MULTIPOLYGON", r.getString(1));
        assertEquals(4326, r.getInt(2));
      }
      try (ResultSet r = s.executeQuery("SELECT min_x, min_y, max_x, max_y FROM gpkg_contents")) {
        assertEquals(
            List.of(10.0, 44.0, 13.0, 46.0),
            List.of(r.getDouble(1), r.getDouble(2), r.getDouble(3), r.getDouble(4)));
      }
      try (ResultSet r =
          s.executeQuery(
              "SELECT geom, query, score, pixels, at_edge, source FROM answers ORDER BY fid")) {
        assertTrue(r.next());
        Geometry g =
            new WKBReader()
                .read(java.util.Arrays.copyOfRange(r.getBytes(1), 40, r.getBytes(1).length));
        assertEquals("MultiPolygon", g.getGeometryType());
        assertTrue(
            g.equalsExact(
                f.createMultiPolygon(
                    new org.locationtech.jts.geom.Polygon[] {
                      (org.locationtech.jts.geom.Polygon) a
                    })));
        assertEquals("tanks", r.getString(2));
        assertEquals(0.75, r.getDouble(3));
        assertEquals(12, r.getLong(4));
        assertEquals(0, r.getInt(5));
        assertEquals("s3a://b/one.tif", r.getString(6));
        assertTrue(r.next());
        r.getDouble(3);
        assertTrue(r.wasNull(), "a NaN score is NULL");
        assertEquals(1, r.getInt(5));
        assertEquals("s3a://b/two.tif", r.getString(6));
      }
    }
  }

  @Test
  void aColumnNameThatIsNotAnIdentifierIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new GeoPackageWriter(
                dir.resolve("x.gpkg"),
                "answers",
                new SpatialReference(4326, "WGS 84", "GEOGCS[\"WGS 84\"]"),
                false,
                List.of(new OutputSchema.Field("drop table", String.class, true))));
  }
}
