package org.diffris.output;

import java.awt.geom.AffineTransform;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffris.geotools.GeoTiffRaster;
import org.diffris.pipeline.AreaOfInterest;
import org.diffris.pipeline.InvalidInputException;
import org.geotools.api.referencing.FactoryException;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.geotools.api.referencing.operation.MathTransform;
import org.geotools.api.referencing.operation.TransformException;
import org.geotools.geometry.jts.JTS;
import org.geotools.referencing.CRS;
import org.geotools.referencing.operation.transform.ConcatenatedTransform;
import org.geotools.referencing.operation.transform.ProjectiveTransform;
import org.json.simple.JSONObject;
import org.json.simple.parser.JSONParser;
import org.json.simple.parser.ParseException;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.io.WKBWriter;
import org.locationtech.jts.io.WKTReader;
import org.locationtech.jts.io.geojson.GeoJsonReader;

/**
 * An area of interest as a user names it on a command line ({@code --roi}), read once and
 * reprojected to each raster's CRS: WKT with its CRS ({@code --roi-crs EPSG:32633}, or EWKT
 * {@code SRID=32633;POLYGON ((...))}), or a vector file, GeoJSON (its {@code crs} member, else
 * longitude/latitude as RFC 7946 says) or GeoPackage (its layer's CRS; the one feature layer, or
 * the one {@code --roi-layer} names). Every feature counts: their union. Coordinates are always
 * x = east (longitude), y = north, whatever order the CRS declares; vertices are reprojected, edges
 * stay straight in the raster's CRS. The file is opened read-only and never written.
 *
 * <p>What the area then means is the pipeline's ({@link AreaOfInterest}). Serializable, so that
 * a distributed job reads the file once, on its driver.
 *
 * @param wkb the geometry as read, in its own CRS
 * @param crs its CRS: {@code "EPSG:n"}, or a CRS's WKT from a GeoPackage
 * @param source where it came from, for messages ({@code "roi"}, {@code "roi areas.geojson"})
 * @param file the file it was read from, or null for WKT: an input no output may replace
 */
public record RoiArgument(byte[] wkb, String crs, String source, String file)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  private static final String ACCEPTED =
      "give WKT with its CRS ('POLYGON ((...))' with --roi-crs EPSG:n, or"
          + " 'SRID=n;POLYGON ((...))'), or a GeoJSON or GeoPackage file";
  private static final Pattern EWKT = Pattern.compile("(?is)\\s*SRID=([^;]*);(.*)");
  private static final Pattern WKT_START =
      Pattern.compile(
          "(?is)\\s*(POLYGON|MULTIPOLYGON|GEOMETRYCOLLECTION|POINT|MULTIPOINT|LINESTRING"
              + "|MULTILINESTRING|LINEARRING)\\s*(Z|M|ZM)?\\s*(\\(|EMPTY\\b).*");
  private static final byte[] SQLITE = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

  /**
   * Reads what {@code --roi} names; checks its CRS, so that a bad one stops a job before any
   * work.
   *
   * @param roi WKT, EWKT, or a GeoJSON or GeoPackage file's path
   * @param roiCrs the CRS of WKT ({@code EPSG:32633}), or null
   * @param layer the GeoPackage layer to read, or null when it has one feature layer
   * @throws InvalidInputException saying what was wrong and what is accepted
   */
  public static RoiArgument read(String roi, String roiCrs, String layer) {
    if (roi == null || roi.isBlank()) {
      throw new InvalidInputException("--roi is empty; " + ACCEPTED);
    }
    Matcher ewkt = EWKT.matcher(roi);
    if (ewkt.matches()) {
      if (roiCrs != null) {
        throw new InvalidInputException(
            "--roi says its CRS (SRID="
                + ewkt.group(1).strip()
                + ") and --roi-crs another; give one");
      }
      refuseLayer(layer, "WKT");
      String code = ewkt.group(1).strip();
      return ofWkt(ewkt.group(2), code.matches("\\d+") ? "EPSG:" + code : code, "--roi's SRID");
    }
    // A file that exists is a file, whatever its name ("polygon.geojson").
    if (!isFile(roi) && WKT_START.matcher(roi).matches()) {
      if (roiCrs == null) {
        throw new InvalidInputException(
            "--roi is WKT without a CRS; give it with --roi-crs (EPSG:32633, EPSG:4326 for"
                + " longitude/latitude) or as SRID=32633;POLYGON ((...))");
      }
      refuseLayer(layer, "WKT");
      return ofWkt(roi, roiCrs.strip(), "--roi-crs");
    }
    Path file;
    try {
      file = Path.of(roi);
    } catch (InvalidPathException e) {
      throw new InvalidInputException(
          "--roi '" + shortened(roi) + "' is neither WKT nor a file's path; " + ACCEPTED);
    }
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException(
          "--roi '"
              + shortened(roi)
              + "' is neither WKT nor an existing file"
              + (Files.isDirectory(file) ? " (it is a folder)" : "")
              + "; "
              + ACCEPTED);
    }
    if (roiCrs != null) {
      throw new InvalidInputException(
          "--roi-crs is for WKT; a GeoJSON file says its CRS in its crs member (none:"
              + " longitude/latitude), a GeoPackage in its layer");
    }
    String source = "roi " + file.getFileName();
    byte[] start = new byte[SQLITE.length];
    int n;
    try (InputStream in = Files.newInputStream(file)) {
      n = in.readNBytes(start, 0, start.length);
    } catch (IOException e) {
      throw new InvalidInputException("--roi " + file + " cannot be read: " + e.getMessage(), e);
    }
    if (n == SQLITE.length && java.util.Arrays.equals(start, SQLITE)) {
      return GeoPackageArea.read(file, layer, source);
    }
    String head = new String(start, 0, n, StandardCharsets.UTF_8).stripLeading();
    if (head.startsWith("\uFEFF")) {
      head = head.substring(1).stripLeading();
    }
    if (head.startsWith("{")) {
      refuseLayer(layer, "a GeoJSON file");
      return ofGeoJson(file, source);
    }
    throw new InvalidInputException(
        "--roi "
            + file
            + " is neither a GeoJSON nor a GeoPackage file; "
            + ACCEPTED
            + " (convert others with ogr2ogr -f GPKG out.gpkg in.shp)");
  }

  private static boolean isFile(String roi) {
    try {
      return Files.isRegularFile(Path.of(roi));
    } catch (InvalidPathException e) {
      return false;
    }
  }

  private static void refuseLayer(String layer, String what) {
    if (layer != null) {
      throw new InvalidInputException("--roi-layer is for a GeoPackage; --roi is " + what);
    }
  }

  private static RoiArgument ofWkt(String text, String crs, String crsOption) {
    Geometry g;
    try {
      g = new WKTReader().read(text);
    } catch (org.locationtech.jts.io.ParseException | RuntimeException e) {
      throw new InvalidInputException(
          "--roi is not WKT that can be read ("
              + oneLine(e)
              + "): '"
              + shortened(text.strip())
              + "'; "
              + ACCEPTED,
          e);
    }
    decode(crs, crsOption);
    return new RoiArgument(new WKBWriter(2).write(g), crs, "roi", null);
  }

  private static RoiArgument ofGeoJson(Path file, String source) {
    JSONObject json;
    try {
      Object parsed =
          new JSONParser()
              .parse(Files.readString(file, StandardCharsets.UTF_8).replace("\uFEFF", ""));
      if (!(parsed instanceof JSONObject object)) {
        throw new InvalidInputException("--roi " + file + " is not a GeoJSON object");
      }
      json = object;
    } catch (IOException e) {
      throw new InvalidInputException("--roi " + file + " cannot be read: " + e.getMessage(), e);
    } catch (ParseException e) {
      throw new InvalidInputException(
          "--roi " + file + " is not valid JSON (" + e + "); " + ACCEPTED, e);
    }
    String crs = "EPSG:4326"; // RFC 7946: longitude, latitude on WGS84
    Object member = json.remove("crs");
    if (member != null) {
      crs = geoJsonCrs(member, file);
    }
    Geometry g;
    try {
      g = new GeoJsonReader(new GeometryFactory()).read(json.toJSONString());
    } catch (org.locationtech.jts.io.ParseException | RuntimeException e) {
      throw new InvalidInputException(
          "--roi " + file + " is not GeoJSON that can be read (" + oneLine(e) + ")", e);
    }
    decode(crs, "the crs member of " + file);
    return new RoiArgument(
        new WKBWriter(2).write(g), crs, source, file.toAbsolutePath().toString());
  }

  /** A GeoJSON 2008 named CRS: "EPSG:32633", "urn:ogc:def:crs:EPSG::32633", CRS84. */
  private static String geoJsonCrs(Object member, Path file) {
    if (member instanceof Map<?, ?> m
        && "name".equals(m.get("type"))
        && m.get("properties") instanceof Map<?, ?> p
        && p.get("name") instanceof String name) {
      String upper = name.toUpperCase(Locale.ROOT);
      if (upper.endsWith("CRS84") || upper.equals("CRS:84")) {
        return "EPSG:4326";
      }
      Matcher epsg = Pattern.compile("(?i).*EPSG:{1,2}(?:[0-9.]*:)?(\\d+)").matcher(name);
      if (epsg.matches()) {
        return "EPSG:" + epsg.group(1);
      }
      return name;
    }
    throw new InvalidInputException(
        "--roi "
            + file
            + ": its crs member is not a named CRS ({\"type\": \"name\", \"properties\":"
            + " {\"name\": \"EPSG:32633\"}}); leave it out for longitude/latitude");
  }

  /**
   * The CRS a text names, x = east whatever the CRS declares.
   *
   * @param what how messages name where the text came from
   */
  static CoordinateReferenceSystem decode(String crs, String what) {
    try {
      if (crs.matches(
          "(?is)\\s*(PROJCS|GEOGCS|PROJCRS|GEOGCRS|GEODCRS|COMPD_CS|COMPOUNDCRS)\\b.*")) {
        return CRS.parseWKT(crs);
      }
      return CRS.decode(crs, true);
    } catch (FactoryException | RuntimeException e) {
      throw new InvalidInputException(
          what
              + " '"
              + shortened(crs)
              + "' is not a CRS this tool knows ("
              + oneLine(e)
              + "); give an EPSG code such as EPSG:32633, or EPSG:4326 for longitude/latitude",
          e);
    }
  }

  /** The geometry as read, in its own CRS. */
  public Geometry geometry() {
    try {
      return new WKBReader().read(wkb);
    } catch (org.locationtech.jts.io.ParseException e) {
      throw new IllegalStateException("a geometry this class wrote cannot be read back", e);
    }
  }

  /**
   * The area in a raster's CRS, checked ({@link AreaOfInterest#of}).
   *
   * @throws InvalidInputException when it is not a valid area or cannot be reprojected
   */
  public AreaOfInterest in(GeoTiffRaster raster) {
    Integer code = raster.spatialReference().epsgCode();
    Geometry g = geometry();
    if (code == null || !crs.equals("EPSG:" + code)) {
      g = reprojected(g, raster.crs(), raster.spatialReference().label());
    }
    return AreaOfInterest.of(g, source);
  }

  private Geometry reprojected(Geometry g, CoordinateReferenceSystem target, String targetLabel) {
    CoordinateReferenceSystem from = decode(crs, source + "'s CRS");
    try {
      MathTransform transform = CRS.findMathTransform(from, target, true);
      if (CRS.getAxisOrder(from) == CRS.AxisOrder.NORTH_EAST) {
        // Read as (east, north); the CRS takes (north, east).
        transform = ConcatenatedTransform.create(swap(), transform);
      }
      if (CRS.getAxisOrder(target) == CRS.AxisOrder.NORTH_EAST) {
        // The raster's world coordinates are (east, north) whatever its CRS declares.
        transform = ConcatenatedTransform.create(transform, swap());
      }
      Geometry out = JTS.transform(g, transform);
      for (org.locationtech.jts.geom.Coordinate c : out.getCoordinates()) {
        if (!Double.isFinite(c.x) || !Double.isFinite(c.y)) {
          throw new TransformException("a vertex lands outside the raster CRS's domain");
        }
      }
      return out;
    } catch (FactoryException | TransformException | RuntimeException e) {
      throw new InvalidInputException(
          source
              + " cannot be reprojected from "
              + shortened(crs)
              + " to the raster's CRS ("
              + targetLabel
              + "): "
              + oneLine(e),
          e);
    }
  }

  private static MathTransform swap() {
    return ProjectiveTransform.create(new AffineTransform(0, 1, 1, 0, 0, 0));
  }

  static String shortened(String s) {
    String one = s.replaceAll("\\s+", " ");
    return one.length() <= 80 ? one : one.substring(0, 77) + "...";
  }

  static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /** A GeoPackage's feature layer, read-only: its features' geometries and its CRS. */
  private static final class GeoPackageArea {
    private GeoPackageArea() {}

    static RoiArgument read(Path file, String layer, String source) {
      // immutable=1: no journal, lock or -shm file is made beside the user's file.
      String url = "jdbc:sqlite:file:" + file.toAbsolutePath() + "?mode=ro&immutable=1";
      try (Connection db = DriverManager.getConnection(url)) {
        List<String> layers = new ArrayList<>();
        try (Statement s = db.createStatement();
            ResultSet r =
                s.executeQuery(
                    "SELECT table_name FROM gpkg_contents WHERE data_type = 'features'"
                        + " ORDER BY table_name")) {
          while (r.next()) {
            layers.add(r.getString(1));
          }
        }
        if (layers.isEmpty()) {
          throw new InvalidInputException("--roi " + file + " has no feature layer");
        }
        String chosen = layer;
        if (chosen == null) {
          if (layers.size() > 1) {
            throw new InvalidInputException(
                "--roi "
                    + file
                    + " has "
                    + layers.size()
                    + " feature layers ("
                    + String.join(", ", layers)
                    + "); name one with --roi-layer");
          }
          chosen = layers.get(0);
        } else if (!layers.contains(chosen)) {
          throw new InvalidInputException(
              "--roi-layer "
                  + chosen
                  + " is not a feature layer of "
                  + file
                  + "; it has "
                  + String.join(", ", layers));
        }
        String column;
        int srsId;
        try (PreparedStatement s =
            db.prepareStatement(
                "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?")) {
          s.setString(1, chosen);
          try (ResultSet r = s.executeQuery()) {
            if (!r.next()) {
              throw new InvalidInputException(
                  "--roi " + file + ": layer " + chosen + " has no geometry column");
            }
            column = r.getString(1);
            srsId = r.getInt(2);
          }
        }
        String crs = crs(db, srsId, file, chosen);
        List<Geometry> parts = new ArrayList<>();
        WKBReader wkb = new WKBReader();
        try (Statement s = db.createStatement();
            ResultSet r =
                s.executeQuery(
                    "SELECT \""
                        + column.replace("\"", "\"\"")
                        + "\" FROM \""
                        + chosen.replace("\"", "\"\"")
                        + "\"")) {
          while (r.next()) {
            byte[] blob = r.getBytes(1);
            if (blob != null) {
              parts.add(decode(blob, wkb, file));
            }
          }
        }
        GeometryFactory factory = new GeometryFactory();
        Geometry all =
            parts.size() == 1
                ? parts.get(0)
                : factory.createGeometryCollection(parts.toArray(new Geometry[0]));
        return new RoiArgument(
            new WKBWriter(2).write(all),
            crs,
            source + (layer != null ? " layer " + chosen : ""),
            file.toAbsolutePath().toString());
      } catch (SQLException e) {
        throw new InvalidInputException(
            "--roi " + file + " is not a GeoPackage that can be read (" + oneLine(e) + ")", e);
      }
    }

    private static String crs(Connection db, int srsId, Path file, String layer)
        throws SQLException {
      try (PreparedStatement s =
          db.prepareStatement(
              "SELECT organization, organization_coordsys_id, definition"
                  + " FROM gpkg_spatial_ref_sys WHERE srs_id = ?")) {
        s.setInt(1, srsId);
        try (ResultSet r = s.executeQuery()) {
          if (!r.next() || srsId == 0 || srsId == -1) {
            throw new InvalidInputException(
                "--roi " + file + ": layer " + layer + " has no CRS (srs_id " + srsId + ")");
          }
          String organization = r.getString(1);
          if ("EPSG".equalsIgnoreCase(organization)) {
            return "EPSG:" + r.getInt(2);
          }
          String definition = r.getString(3);
          RoiArgument.decode(definition, "--roi " + file + " layer " + layer + "'s CRS");
          return definition;
        }
      }
    }

    /** GeoPackage binary: "GP", version, flags, srs_id, an optional envelope, then WKB. */
    private static Geometry decode(byte[] blob, WKBReader wkb, Path file) {
      try {
        if (blob.length < 8 || blob[0] != 'G' || blob[1] != 'P') {
          throw new org.locationtech.jts.io.ParseException("not a GeoPackage geometry");
        }
        int envelope = (blob[3] >> 1) & 0x7;
        int envelopeBytes =
            switch (envelope) {
              case 0 -> 0;
              case 1 -> 32;
              case 2, 3 -> 48;
              case 4 -> 64;
              default ->
                  throw new org.locationtech.jts.io.ParseException(
                      "envelope indicator " + envelope);
            };
        return wkb.read(java.util.Arrays.copyOfRange(blob, 8 + envelopeBytes, blob.length));
      } catch (org.locationtech.jts.io.ParseException | RuntimeException e) {
        throw new InvalidInputException(
            "--roi " + file + " holds a geometry that cannot be read (" + oneLine(e) + ")", e);
      }
    }
  }
}
