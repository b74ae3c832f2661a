package org.diffris.geoserver;

import org.locationtech.jts.geom.Geometry;

/**
 * One request to {@code diffris:Segment}, as the user gave it (nulls for what was left out).
 *
 * @param query the referring expression, e.g. "white storage tanks"
 * @param threshold probability from which a pixel belongs to the objects (0..1 exclusive), or
 *     null for the model's own
 * @param bands band numbers from 1, comma separated ("4,3,2"), or null for the first bands
 * @param roi a (multi)polygon in the coverage's CRS (x = east) to restrict the work to, or null
 * @param simplify simplification distance in CRS units, or null / 0 for pixel-exact outlines
 * @param minArea smallest region kept, square metres, or null for all
 * @param maxFeatures most regions returned (largest first), or null for all
 */
public record SegmentRequest(String query, Double threshold, String bands, Geometry roi,
    Double simplify, Double minArea, Integer maxFeatures) {

  /** A request with only the query set. */
  public static SegmentRequest of(String query) {
    return new SegmentRequest(query, null, null, null, null, null, null);
  }

  public SegmentRequest withRoi(Geometry roi) {
    return new SegmentRequest(query, threshold, bands, roi, simplify, minArea, maxFeatures);
  }

  public SegmentRequest withBands(String bands) {
    return new SegmentRequest(query, threshold, bands, roi, simplify, minArea, maxFeatures);
  }

  public SegmentRequest withThreshold(Double threshold) {
    return new SegmentRequest(query, threshold, bands, roi, simplify, minArea, maxFeatures);
  }
}
