package org.diffris.cli.io;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.diffris.geotools.LonLatProjection;
import org.diffris.pipeline.InvalidInputException;
import org.diffris.pipeline.OutputSchema;
import org.diffris.vectorizer.VectorizedRegion;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.geotools.api.referencing.operation.TransformException;
import org.locationtech.jts.geom.Geometry;

/**
 * Writes regions as an RFC 7946 GeoJSON FeatureCollection.
 *
 * <p>Guarantees: coordinates are WGS84 longitude, latitude (reprojected vertex by vertex from the
 * raster's CRS, 9 decimals, about 0.1 mm); exterior rings are counter-clockwise and holes
 * clockwise (the right-hand rule); no {@code crs} member; properties: the fields of the project's
 * {@link OutputSchema}, in order (a NaN score is null). Edges are not densified, so a
 * long straight pixel edge stays straight in longitude/latitude. A polygon that crosses the
 * antimeridian is cut there into a MultiPolygon, every longitude within [-180, 180] (RFC 7946
 * §3.1.9; {@link LonLatProjection}).
 */
public final class GeoJsonWriter implements RegionWriter {
  private static final int DECIMALS = 9;

  private final LonLatProjection toWgs84;
  private final OutputSchema schema;
  private final Writer out;
  private final org.locationtech.jts.io.geojson.GeoJsonWriter geometryWriter =
      new org.locationtech.jts.io.geojson.GeoJsonWriter(DECIMALS);
  private boolean first = true;

  /**
   * Writes {@code file} (absent or empty: an {@link org.diffris.output.AtomicOutput} temporary) and starts the
   * collection.
   *
   * @param sourceCrs the CRS of the regions, whose coordinates are in (east, north) order whatever
   *     order the CRS declares
   * @param schema the properties of every feature, in order
   * @throws InvalidInputException when the CRS cannot be reprojected to WGS84
   */
  public GeoJsonWriter(Path file, CoordinateReferenceSystem sourceCrs, OutputSchema schema)
      throws IOException {
    this.schema = schema;
    try {
      this.toWgs84 = new LonLatProjection(sourceCrs);
    } catch (InvalidInputException e) {
      throw new InvalidInputException(e.getMessage() + "; write a .gpkg instead", e);
    }
    geometryWriter.setEncodeCRS(false);
    geometryWriter.setForceCCW(true);
    this.out =
        new BufferedWriter(
            Files.newBufferedWriter(
                file,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE),
            1 << 16);
    out.write("{\"type\":\"FeatureCollection\",\"features\":[");
  }

  @Override
  public void accept(VectorizedRegion region) throws IOException {
    out.write(first ? "\n" : ",\n");
    first = false;
    out.write("{\"type\":\"Feature\",\"properties\":{");
    Object[] values = schema.values(region);
    for (int i = 0; i < values.length; i++) {
      out.write(i == 0 ? "" : ",");
      out.write(jsonString(schema.fields().get(i).name()));
      out.write(":");
      out.write(
          values[i] instanceof String text
              ? jsonString(text)
              : values[i] instanceof Long count
                  ? Long.toString(count)
                  : values[i] instanceof Boolean flag
                      ? Boolean.toString(flag)
                      : number((Double) values[i]));
    }
    out.write("},\"geometry\":");
    geometryWriter.write(toWgs84(region.geometry()), out);
    out.write("}");
  }

  @Override
  public void finish() throws IOException {
    out.write("\n]}\n");
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }

  private Geometry toWgs84(Geometry g) throws IOException {
    try {
      return toWgs84.apply(g);
    } catch (TransformException e) {
      throw new IOException("cannot reproject a polygon to WGS84: " + e.getMessage(), e);
    }
  }

  /** A JSON string literal, with the escapes RFC 8259 requires. */
  static String jsonString(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /** JSON has no NaN: a missing value is null. */
  private static String number(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "null";
    }
    return String.format(Locale.ROOT, "%.6f", v).replaceFirst("\\.?0+$", "");
  }
}
