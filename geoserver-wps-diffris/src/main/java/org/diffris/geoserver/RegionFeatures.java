package org.diffris.geoserver;

import java.util.ArrayList;
import java.util.List;
import org.diffris.pipeline.OutputSchema;
import org.diffris.vectorizer.RegionSink;
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
 * Collects regions as the features {@code diffris:Segment} returns: feature type
 * {@value #TYPE_NAME} with a Polygon {@code geometry} in the coverage's EPSG CRS and the
 * attributes of the project's {@link OutputSchema} (query, score, area, pixels, model, at_edge,
 * source, run_id); one
 * feature per region in the order they arrive, ids {@code segment.1, segment.2, ...}.
 */
public final class RegionFeatures implements RegionSink {
  public static final String TYPE_NAME = "diffris_segment";

  private final SimpleFeatureType type;
  private final OutputSchema schema;
  private final SimpleFeatureBuilder builder;
  private final List<SimpleFeature> features = new ArrayList<>();

  public RegionFeatures(CoordinateReferenceSystem crs, OutputSchema schema) {
    this.type = type(crs, schema);
    this.schema = schema;
    this.builder = new SimpleFeatureBuilder(type);
  }

  static SimpleFeatureType type(CoordinateReferenceSystem crs, OutputSchema schema) {
    SimpleFeatureTypeBuilder b = new SimpleFeatureTypeBuilder();
    b.setName(TYPE_NAME);
    b.setCRS(crs);
    b.add("geometry", Polygon.class, crs);
    b.setDefaultGeometry("geometry");
    for (OutputSchema.Field field : schema.fields()) {
      b.add(field.name(), field.type());
    }
    return b.buildFeatureType();
  }

  @Override
  public void accept(VectorizedRegion region) {
    if (!(region.geometry() instanceof Polygon polygon)) {
      // 4-connectivity makes one Polygon per region; anything else is a vectorizer bug.
      throw new IllegalStateException(
          "expected a Polygon per region, got " + region.geometry().getGeometryType());
    }
    builder.add(polygon);
    for (Object value : schema.values(region)) {
      builder.add(value);
    }
    features.add(builder.buildFeature("segment." + (features.size() + 1)));
  }

  public SimpleFeatureCollection collection() {
    return new ListFeatureCollection(type, features);
  }
}
