package org.diffris.cli.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;

/**
 * Reads the single feature layer of a GeoPackage (ours or GDAL's) with plain SQL, decoding the
 * GeoPackage geometry header itself, so tests do not trust the writer under test.
 */
public final class GeoPackageContents {
  /** One row: its geometry and the other columns by name. */
  public record Feature(Geometry geometry, Map<String, Object> attributes) {
    public double number(String column) {
      return ((Number) attributes.get(column)).doubleValue();
    }
  }

  public final String layer;
  public final String geometryType;
  public final int srsId;
  public final String organization;
  public final int organizationCode;
  public final String definition;
  public final int applicationId;
  public final List<String> columns = new ArrayList<>();
  public final List<Feature> features = new ArrayList<>();

  private GeoPackageContents(Path file) throws SQLException, ParseException {
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        Statement s = db.createStatement()) {
      try (ResultSet r = s.executeQuery("PRAGMA application_id")) {
        applicationId = r.getInt(1);
      }
      try (ResultSet r =
          s.executeQuery(
              "SELECT g.table_name, g.column_name, "
                  + "g.geometry_type_name, g.srs_id, srs.organization, srs.organization_coordsys_id, "
                  + "srs.definition FROM gpkg_geometry_columns g JOIN gpkg_contents c "
                  + "ON c.table_name = g.table_name JOIN gpkg_spatial_ref_sys srs "
                  + "ON srs.srs_id = g.srs_id")) {
        if (!r.next()) {
          throw new IllegalStateException("no feature layer in " + file);
        }
        layer = r.getString(1);
        String geometryColumn = r.getString(2);
        geometryType = r.getString(3);
        srsId = r.getInt(4);
        organization = r.getString(5);
        organizationCode = r.getInt(6);
        definition = r.getString(7);
        try (Statement rows = db.createStatement();
            ResultSet f = rows.executeQuery("SELECT * FROM \"" + layer + "\"")) {
          ResultSetMetaData meta = f.getMetaData();
          for (int i = 1; i <= meta.getColumnCount(); i++) {
            columns.add(meta.getColumnName(i));
          }
          WKBReader wkb = new WKBReader();
          while (f.next()) {
            Map<String, Object> attributes = new LinkedHashMap<>();
            Geometry g = null;
            for (String column : columns) {
              if (column.equals(geometryColumn)) {
                g = decode(f.getBytes(column), wkb);
              } else {
                attributes.put(column, f.getObject(column));
              }
            }
            features.add(new Feature(g, attributes));
          }
        }
      }
    }
  }

  public static GeoPackageContents read(Path file) throws Exception {
    return new GeoPackageContents(file);
  }

  /** GeoPackage binary header: magic, version, flags, srs_id, optional envelope, then WKB. */
  static Geometry decode(byte[] blob, WKBReader wkb) throws ParseException {
    if (blob[0] != 'G' || blob[1] != 'P') {
      throw new ParseException("not a GeoPackage geometry blob");
    }
    int flags = blob[3];
    int envelope = (flags >> 1) & 0x7;
    int envelopeBytes =
        switch (envelope) {
          case 0 -> 0;
          case 1 -> 32;
          case 2, 3 -> 48;
          case 4 -> 64;
          default -> throw new ParseException("bad envelope indicator " + envelope);
        };
    int offset = 8 + envelopeBytes;
    byte[] body = new byte[blob.length - offset];
    System.arraycopy(blob, offset, body, 0, body.length);
    return wkb.read(body);
  }

  public double totalPlanarArea() {
    return features.stream().mapToDouble(f -> f.geometry().getArea()).sum();
  }
}
