package org.diffris.pipeline;

import java.util.Locale;
import org.diffris.vectorizer.PixelBounds;
import org.diffris.vectorizer.PixelToWorld;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryCollection;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.Polygonal;
import org.locationtech.jts.operation.valid.IsValidOp;
import org.locationtech.jts.operation.valid.TopologyValidationError;

/**
 * What an area of interest (the {@code roi} of every host) means, written once: a valid Polygon
 * or MultiPolygon in the raster's CRS (x = east); the job reads the raster's rectangle of pixels
 * round it ({@link #window}: the corners of the pixels its vertices fall in, inside the raster)
 * and answers with the pixels whose centres are inside it ({@link #mask}); objects within the
 * model's edge margin of its boundary are marked {@code at_edge}.
 *
 * <p>Refused, with what is accepted: an empty geometry; points and lines (an area is meant: a
 * buffer of them is the user's choice of distance); an invalid polygon, self-intersecting for
 * example (repairing it silently could drop a part the user drew, so it is the user's repair);
 * an area that does not overlap the raster. Immutable.
 */
public final class AreaOfInterest {
  private final Geometry geometry;
  private final String source;

  private AreaOfInterest(Geometry geometry, String source) {
    this.geometry = geometry;
    this.source = source;
  }

  /**
   * @param geometry a Polygon, a MultiPolygon, or a collection of polygons (their union: the
   *     features of a file), in the raster's CRS, x = east
   * @param source where it came from, for messages ({@code "roi"}, {@code "roi areas.geojson"})
   * @throws InvalidInputException when it is empty, not polygonal or not valid
   */
  public static AreaOfInterest of(Geometry geometry, String source) {
    if (geometry == null || geometry.isEmpty()) {
      throw new InvalidInputException(
          source + " is empty; give a polygon that overlaps the raster, or leave the roi out");
    }
    if (!(geometry instanceof Polygonal)) {
      String kinds = nonPolygonal(geometry);
      if (kinds != null) {
        throw new InvalidInputException(
            source
                + " must be a Polygon or MultiPolygon (an area), got a "
                + kinds
                + "; for the ground along"
                + " a line or round points, buffer them first by the distance you mean (QGIS"
                + " Buffer, ST_Buffer, ogr2ogr -dialect SQLite -sql 'SELECT ST_Buffer(...)')");
      }
    }
    for (int i = 0; i < geometry.getNumGeometries(); i++) {
      check(geometry.getGeometryN(i), source);
    }
    Geometry area = geometry;
    if (!(geometry instanceof Polygonal)) {
      // Features of a file: their union, so overlapping ones count once.
      area = geometry.union();
      check(area, source);
    }
    return new AreaOfInterest(area, source);
  }

  /** The first kind of part that is not a polygon ("LineString"), or null when all are. */
  private static String nonPolygonal(Geometry g) {
    if (g instanceof Polygonal) {
      return null;
    }
    if (g instanceof GeometryCollection && g.getClass() == GeometryCollection.class) {
      for (int i = 0; i < g.getNumGeometries(); i++) {
        String kind = nonPolygonal(g.getGeometryN(i));
        if (kind != null) {
          return kind;
        }
      }
      return null;
    }
    return g.getGeometryType();
  }

  private static void check(Geometry part, String source) {
    if (part.isEmpty()) {
      return;
    }
    TopologyValidationError error = new IsValidOp(part).getValidationError();
    if (error != null) {
      Coordinate at = error.getCoordinate();
      throw new InvalidInputException(
          String.format(
              Locale.ROOT,
              "%s is not a valid polygon: %s%s; repair it first (QGIS Fix geometries,"
                  + " ST_MakeValid, ogr2ogr -makevalid): a repair can drop or join parts, so it"
                  + " is not made silently",
              source,
              error.getMessage().toLowerCase(Locale.ROOT),
              at == null || Double.isNaN(at.x)
                  ? ""
                  : String.format(Locale.ROOT, " at (%.10g, %.10g)", at.x, at.y)));
    }
  }

  /** The area, polygonal and valid, in the raster's CRS. */
  public Geometry geometry() {
    return geometry.copy();
  }

  /** Where it came from, as messages name it. */
  public String source() {
    return source;
  }

  /**
   * The rectangle of pixels a job with this area reads: from the pixel corner at or before its
   * westmost, northmost vertex to the one at or after its eastmost, southmost (in pixel space),
   * inside the raster.
   *
   * @param crs the raster's CRS as messages name it ({@code "EPSG:32633"})
   * @throws OutsideRasterException when the area does not overlap the raster, with both extents
   */
  public PixelBounds window(PixelToWorld pixelToWorld, int width, int height, String crs) {
    double minC = Double.POSITIVE_INFINITY;
    double minR = Double.POSITIVE_INFINITY;
    double maxC = Double.NEGATIVE_INFINITY;
    double maxR = Double.NEGATIVE_INFINITY;
    Geometry pixels = geometry.copy();
    pixels.apply(
        (org.locationtech.jts.geom.CoordinateFilter)
            c -> {
              double[] p = pixelToWorld.toPixel(c.x, c.y);
              c.x = p[0];
              c.y = p[1];
            });
    pixels.geometryChanged();
    for (Coordinate c : pixels.getCoordinates()) {
      minC = Math.min(minC, c.x);
      maxC = Math.max(maxC, c.x);
      minR = Math.min(minR, c.y);
      maxR = Math.max(maxR, c.y);
    }
    int c0 = (int) Math.max(0, Math.floor(minC));
    int r0 = (int) Math.max(0, Math.floor(minR));
    int c1 = (int) Math.min(width, Math.ceil(maxC));
    int r1 = (int) Math.min(height, Math.ceil(maxR));
    Polygon raster =
        new GeometryFactory()
            .createPolygon(
                new Coordinate[] {
                  new Coordinate(0, 0),
                  new Coordinate(width, 0),
                  new Coordinate(width, height),
                  new Coordinate(0, height),
                  new Coordinate(0, 0)
                });
    if (c1 <= c0 || r1 <= r0 || !pixels.intersects(raster) || pixels.touches(raster)) {
      throw new OutsideRasterException(
          source
              + " "
              + extent(geometry.getEnvelopeInternal())
              + " does not overlap the raster "
              + extent(rasterExtent(pixelToWorld, width, height))
              + " (both in the raster's CRS, "
              + crs
              + ", x = east); give an area over the raster, in its CRS or with the CRS it is in");
    }
    return new PixelBounds(c0, r0, c1, r1);
  }

  /**
   * The mask of this area for the raster (or window of it) whose pixel corners {@code
   * pixelToWorld} places: the region of interest a job with this area is given.
   */
  public RoiMask mask(PixelToWorld pixelToWorld) {
    return new RoiMask(geometry, pixelToWorld);
  }

  /**
   * The part of a raster a job with this area runs on.
   *
   * @param input the raster's {@link #window}, as a raster of its own
   * @param window where that lies in the raster's pixels
   * @param mask the area's {@link #mask} on {@code input}: the job's region of interest
   */
  public record Crop(RasterInput input, PixelBounds window, RoiMask mask) {}

  /**
   * A raster as a job with this area runs it: its {@link #window}, and the {@link #mask} on it.
   *
   * @param crs the raster's CRS as messages name it
   * @throws OutsideRasterException when the area does not overlap the raster
   */
  public Crop crop(RasterInput raster, String crs) {
    PixelBounds window = window(raster.pixelToWorld(), raster.width(), raster.height(), crs);
    RasterInput cropped = raster.window(window);
    return new Crop(cropped, window, mask(cropped.pixelToWorld()));
  }

  /** As {@link #crop}, with the mask set as the region of interest of {@code options}. */
  public Crop apply(RasterInput raster, String crs, SegmentOptions.Builder options) {
    Crop crop = crop(raster, crs);
    options.roi(crop.mask());
    return crop;
  }

  /**
   * An area that does not overlap the raster: refused by a host that runs one raster, a raster
   * to pass over for one that runs many.
   */
  public static final class OutsideRasterException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    OutsideRasterException(String message) {
      super(message);
    }
  }

  private static Envelope rasterExtent(PixelToWorld t, int width, int height) {
    Envelope e = new Envelope();
    for (int[] corner : new int[][] {{0, 0}, {width, 0}, {0, height}, {width, height}}) {
      e.expandToInclude(t.x(corner[0], corner[1]), t.y(corner[0], corner[1]));
    }
    return e;
  }

  /** "x 500000 to 500200, y 5299850 to 5300000". */
  static String extent(Envelope e) {
    return String.format(
        Locale.ROOT,
        "(x %.10g to %.10g, y %.10g to %.10g)",
        e.getMinX(),
        e.getMaxX(),
        e.getMinY(),
        e.getMaxY());
  }
}
