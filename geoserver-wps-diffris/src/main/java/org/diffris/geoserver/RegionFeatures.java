package org.diffris.geoserver;

import java.util.ArrayList;
import java.util.List;
import org.diffris.vectorizer.VectorizedRegion;
import org.geotools.api.feature.simple.SimpleFeature;
import org.geotools.api.feature.simple.SimpleFeatureType;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.geotools.data.collection.ListFeatureCollection;
import org.geotools.data.simple.SimpleFeatureCollection;
import org.geotools.feature.simple.SimpleFeatureBuilder;
import org.geotools.feature.simple.SimpleFeatureTypeBuilder;
import org.locationtech.jts.geom.Polygon;

/**
 * Turns vectorized regions into the features {@code diffris:Segment} returns: feature type
 * {@value #TYPE_NAME} with a Polygon {@code geometry} in the coverage's EPSG CRS and the
 * attributes {@code query} (String), {@code score} (Double, mean probability inside),
 * {@code area} (Double, square metres) and {@code model} (String, name and version); one feature
 * per region, in the vectorizer's order (largest area first), ids {@code segment.1, segment.2, ...}.
 */
public final class RegionFeatures {
  public static final String TYPE_NAME = "diffris_segment";

  private RegionFeatures() {}

  public static SimpleFeatureType type(CoordinateReferenceSystem crs) {
    SimpleFeatureTypeBuilder b = new SimpleFeatureTypeBuilder();
    b.setName(TYPE_NAME);
    b.setCRS(crs);
    b.add("geometry", Polygon.class, crs);
    b.setDefaultGeometry("geometry");
    b.add("query", String.class);
    b.add("score", Double.class);
    b.add("area", Double.class);
    b.add("model", String.class);
    return b.buildFeatureType();
  }

  public static SimpleFeatureCollection collect(SimpleFeatureType type, List<VectorizedRegion> regions,
      String query, String model) {
    List<SimpleFeature> features = new ArrayList<>(regions.size());
    SimpleFeatureBuilder b = new SimpleFeatureBuilder(type);
    int n = 0;
    for (VectorizedRegion r : regions) {
      if (!(r.geometry() instanceof Polygon polygon)) {
        // 4-connectivity makes one Polygon per region; anything else is a vectorizer bug.
        throw new IllegalStateException("expected a Polygon per region, got "
            + r.geometry().getGeometryType());
      }
      b.add(polygon);
      b.add(query);
      b.add(r.meanProbability());
      b.add(r.areaSquareMetres());
      b.add(model);
      features.add(b.buildFeature("segment." + (++n)));
    }
    return new ListFeatureCollection(type, features);
  }
}
