package org.diffris.output;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import org.diffris.geotools.SpatialReference;
import org.diffris.pipeline.OutputSchema;
import org.diffris.vectorizer.VectorizedRegion;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.io.ByteOrderValues;
import org.locationtech.jts.io.WKBWriter;

/**
 * Writes regions as one feature layer of an OGC GeoPackage (1.2) file, in the raster's own CRS.
 *
 * <p>Guarantees: the file carries the GeoPackage application id and version, the three required
 * spatial reference rows plus the raster's (EPSG code and WKT definition), {@code gpkg_contents}
 * with the layer's extent, and {@code gpkg_geometry_columns}; geometries are standard GeoPackage
 * binary (little-endian header with an XY envelope, then ISO WKB). The layer is {@code POLYGON},
 * or {@code MULTIPOLYGON} with every polygon promoted when asked (8-connectivity, or polygons cut
 * at the antimeridian). Attributes: the columns given, in order, typed as the project's
 * {@link OutputSchema} types them (a NaN number is NULL). No spatial index is written (readers
 * build one on demand).
 *
 * <p>Features are inserted as they come, in one transaction committed by {@link #finish()}. The
 * file must be absent or empty; the caller writes to a temporary path ({@link AtomicOutput}) and
 * moves it into place.
 */
public final class GeoPackageWriter implements java.io.Closeable {
  /** GeoPackage's {@code application_id}: the ASCII bytes "GPKG". */
  private static final int APPLICATION_ID = 0x47504B47;

  /** 1.2: what GDAL 3.6 and QGIS read without a warning; nothing here needs 1.3 or 1.4. */
  private static final int USER_VERSION = 10200;

  /** srs_id for a CRS without an EPSG code: outside the EPSG range, as GDAL does. */
  private static final int CUSTOM_SRS_ID = 100000;

  private static final String WGS84_WKT =
      "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\","
          + "6378137,298.257223563,AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],"
          + "PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,"
          + "AUTHORITY[\"EPSG\",\"9122\"]],AXIS[\"Latitude\",NORTH],AXIS[\"Longitude\",EAST],"
          + "AUTHORITY[\"EPSG\",\"4326\"]]";

  private static final String IDENTIFIER = "[A-Za-z_][A-Za-z0-9_]*";

  private final Connection db;
  private final String layer;
  private final int srsId;
  private final boolean multi;
  private final List<OutputSchema.Field> columns;
  private final PreparedStatement insert;
  private final WKBWriter wkb = new WKBWriter(2, ByteOrderValues.LITTLE_ENDIAN);
  private final Envelope extent = new Envelope();
  private int pending;

  /**
   * Creates {@code file} (absent or empty) with an empty layer of these columns, in order.
   *
   * @param layer the table name (letters, digits and underscores)
   * @param srs the CRS of the geometries
   * @param multi {@code MULTIPOLYGON} layer (8-connectivity regions may be multipart), else
   *     {@code POLYGON}
   * @param columns the attributes, as {@link OutputSchema#fields()} gives them, plus any a host
   *     adds
   */
  public GeoPackageWriter(
      Path file,
      String layer,
      SpatialReference srs,
      boolean multi,
      List<OutputSchema.Field> columns)
      throws IOException {
    if (!layer.matches(IDENTIFIER)) {
      throw new IllegalArgumentException("layer name must be an SQL identifier: " + layer);
    }
    this.layer = layer;
    this.srsId = srs.epsgCode() == null ? CUSTOM_SRS_ID : srs.epsgCode();
    this.multi = multi;
    this.columns = List.copyOf(columns);
    for (OutputSchema.Field field : this.columns) {
      if (!field.name().matches(IDENTIFIER)) {
        throw new IllegalArgumentException(
            "column name must be an SQL identifier: " + field.name());
      }
    }
    Connection connection = null;
    try {
      connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
      try (Statement s = connection.createStatement()) {
        // A temporary file moved into place on success: no journal needed.
        s.execute("PRAGMA journal_mode = OFF");
        s.execute("PRAGMA synchronous = OFF");
        s.execute("PRAGMA application_id = " + APPLICATION_ID);
        s.execute("PRAGMA user_version = " + USER_VERSION);
      }
      connection.setAutoCommit(false);
      createMetadataTables(connection);
      insertSpatialReferences(connection, srs);
      createLayer(connection);
      StringBuilder names = new StringBuilder("geom");
      StringBuilder values = new StringBuilder("?");
      for (OutputSchema.Field field : this.columns) {
        names.append(", ").append(field.name());
        values.append(", ?");
      }
      this.insert =
          connection.prepareStatement(
              "INSERT INTO \"" + layer + "\" (" + names + ") VALUES (" + values + ")");
      this.db = connection;
    } catch (SQLException e) {
      closeQuietly(connection);
      throw new IOException("cannot create GeoPackage " + file + ": " + e.getMessage(), e);
    }
  }

  /** The table name for a file: its name without extension, as an SQL identifier. */
  public static String layerName(Path file) {
    String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
    String name = stem.replaceAll("[^A-Za-z0-9_]", "_");
    return name.isEmpty() || Character.isDigit(name.charAt(0)) ? "regions_" + name : name;
  }

  /** Adds one feature: a region with the values of the project's output schema. */
  public void add(VectorizedRegion region, OutputSchema schema) throws IOException {
    add(region.geometry(), schema.values(region));
  }

  /**
   * Adds one feature.
   *
   * @param g a Polygon, or a MultiPolygon in a {@code multi} layer
   * @param values one per column, in column order
   */
  public void add(Geometry g, Object[] values) throws IOException {
    if (values.length != columns.size()) {
      throw new IllegalArgumentException(
          values.length + " values for the " + columns.size() + " columns " + columns);
    }
    if (multi && g instanceof Polygon polygon) {
      g = g.getFactory().createMultiPolygon(new Polygon[] {polygon});
    }
    extent.expandToInclude(g.getEnvelopeInternal());
    try {
      int column = 1;
      insert.setBytes(column++, geometryBlob(g, srsId, wkb));
      for (Object value : values) {
        if (value instanceof Double d && d.isNaN()) {
          insert.setNull(column++, Types.DOUBLE);
        } else {
          insert.setObject(column++, value);
        }
      }
      insert.addBatch();
      if (++pending == 1000) {
        insert.executeBatch();
        pending = 0;
      }
    } catch (SQLException e) {
      throw new IOException("cannot write a polygon to the GeoPackage: " + e.getMessage(), e);
    }
  }

  /** Completes the layer: extent, commit. */
  public void finish() throws IOException {
    try {
      insert.executeBatch();
      pending = 0;
      try (PreparedStatement p =
          db.prepareStatement(
              "UPDATE gpkg_contents SET min_x = ?, "
                  + "min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?")) {
        setExtent(p, 1, extent);
        p.setString(5, layer);
        p.executeUpdate();
      }
      db.commit();
    } catch (SQLException e) {
      throw new IOException("cannot complete the GeoPackage: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      insert.close();
    } catch (SQLException e) {
      // closing the connection below releases it anyway
    }
    closeQuietly(db);
  }

  private static void closeQuietly(Connection connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // nothing to release beyond the file, which the caller deletes
      }
    }
  }

  private static void createMetadataTables(Connection db) throws SQLException {
    try (Statement s = db.createStatement()) {
      s.execute(
          "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, "
              + "srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL, "
              + "organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, "
              + "description TEXT)");
      s.execute(
          "CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, "
              + "data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '', "
              + "last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), "
              + "min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER, "
              + "CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) "
              + "REFERENCES gpkg_spatial_ref_sys(srs_id))");
      s.execute(
          "CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, "
              + "column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, "
              + "srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, "
              + "CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), "
              + "CONSTRAINT uk_gc_table_name UNIQUE (table_name), "
              + "CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name), "
              + "CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))");
    }
  }

  private void insertSpatialReferences(Connection db, SpatialReference srs) throws SQLException {
    String sql =
        "INSERT OR IGNORE INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, "
            + "organization_coordsys_id, definition, description) VALUES (?, ?, ?, ?, ?, ?)";
    try (PreparedStatement p = db.prepareStatement(sql)) {
      // The raster's CRS first, so that EPSG:4326 gets the raster's own definition.
      insertSrs(
          p,
          srs.name(),
          srsId,
          srs.epsgCode() == null ? "NONE" : "EPSG",
          srsId,
          srs.wkt(),
          "CRS of the vectorized raster");
      insertSrs(p, "Undefined cartesian SRS", -1, "NONE", -1, "undefined", null);
      insertSrs(p, "Undefined geographic SRS", 0, "NONE", 0, "undefined", null);
      insertSrs(p, "WGS 84 geodetic", 4326, "EPSG", 4326, WGS84_WKT, null);
    }
  }

  private static void insertSrs(
      PreparedStatement p,
      String name,
      int id,
      String org,
      int code,
      String definition,
      String description)
      throws SQLException {
    p.setString(1, name);
    p.setInt(2, id);
    p.setString(3, org);
    p.setInt(4, code);
    p.setString(5, definition);
    p.setString(6, description);
    p.executeUpdate();
  }

  private void createLayer(Connection db) throws SQLException {
    String geometryType = multi ? "MULTIPOLYGON" : "POLYGON";
    try (Statement s = db.createStatement()) {
      s.execute(
          "CREATE TABLE \""
              + layer
              + "\" (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "
              + "geom "
              + geometryType
              + columnDefinitions()
              + ")");
    }
    try (PreparedStatement p =
        db.prepareStatement(
            "INSERT INTO gpkg_contents (table_name, "
                + "data_type, identifier, description, srs_id) VALUES (?, 'features', ?, ?, ?)")) {
      p.setString(1, layer);
      p.setString(2, layer);
      p.setString(3, "Regions vectorized from a raster mask");
      p.setInt(4, srsId);
      p.executeUpdate();
    }
    try (PreparedStatement p =
        db.prepareStatement(
            "INSERT INTO gpkg_geometry_columns "
                + "(table_name, column_name, geometry_type_name, srs_id, z, m) VALUES (?, 'geom', ?, ?, 0, 0)")) {
      p.setString(1, layer);
      p.setString(2, geometryType);
      p.setInt(3, srsId);
      p.executeUpdate();
    }
  }

  /** The columns as GeoPackage columns: TEXT, DOUBLE, INTEGER or BOOLEAN (stored as 0 or 1). */
  private String columnDefinitions() {
    StringBuilder sql = new StringBuilder();
    for (OutputSchema.Field field : columns) {
      String type =
          field.type() == String.class
              ? "TEXT"
              : field.type() == Long.class
                  ? "INTEGER"
                  : field.type() == Boolean.class ? "BOOLEAN" : "DOUBLE";
      sql.append(", ").append(field.name()).append(' ').append(type);
      if (field.required()) {
        sql.append(" NOT NULL");
      }
    }
    return sql.toString();
  }

  private static void setExtent(PreparedStatement p, int first, Envelope e) throws SQLException {
    if (e.isNull()) {
      for (int i = 0; i < 4; i++) {
        p.setNull(first + i, Types.DOUBLE);
      }
      return;
    }
    p.setDouble(first, e.getMinX());
    p.setDouble(first + 1, e.getMinY());
    p.setDouble(first + 2, e.getMaxX());
    p.setDouble(first + 3, e.getMaxY());
  }

  /** GeoPackage binary: "GP", version 0, flags (little-endian, XY envelope), srs_id, envelope, WKB. */
  static byte[] geometryBlob(Geometry g, int srsId, WKBWriter wkbWriter) {
    byte[] wkb = wkbWriter.write(g);
    boolean empty = g.isEmpty();
    int envelopeBytes = empty ? 0 : 32;
    ByteBuffer b =
        ByteBuffer.allocate(8 + envelopeBytes + wkb.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 'G').put((byte) 'P').put((byte) 0);
    int flags =
        1 /* little-endian */ | (empty ? 0x10 : (1 << 1) /* envelope [minx,maxx,miny,maxy] */);
    b.put((byte) flags);
    b.putInt(srsId);
    if (!empty) {
      Envelope e = g.getEnvelopeInternal();
      b.putDouble(e.getMinX()).putDouble(e.getMaxX()).putDouble(e.getMinY()).putDouble(e.getMaxY());
    }
    b.put(wkb);
    return b.array();
  }
}
