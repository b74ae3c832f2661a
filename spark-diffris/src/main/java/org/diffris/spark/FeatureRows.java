package org.diffris.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.diffris.pipeline.OutputSchema;
import org.diffris.pipeline.Provenance;
import org.diffris.pipeline.SegmentationPlan;
import org.diffris.vectorizer.VectorizedRegion;
import org.geotools.api.referencing.operation.TransformException;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.WKBWriter;

/**
 * The job's answer rows: the project's output schema ({@link OutputSchema}: query, score, area,
 * pixels, model, at_edge, source (the raster's file name), run_id (the job's)) plus the raster
 * as listed ({@code source_path}: {@code file:/...}, {@code s3a://...}) and its CRS ({@code crs},
 * as "EPSG:32633"), with two geometries as WKB: longitude/latitude (the GeoParquet layer's
 * geometry, in its default CRS, OGC:CRS84) and the raster's own coordinates (the command line's
 * geometry, bit for bit).
 */
final class FeatureRows {
  static final String LON_LAT_WKB = "geometry_wkb";
  static final String NATIVE_WKB = "native_geometry_wkb";
  static final String SOURCE = "source";
  static final String RUN_ID = "run_id";
  static final String SOURCE_PATH = "source_path";
  static final String CRS = "crs";

  private FeatureRows() {}

  /** The rows' Spark schema for a job's output schema. */
  static StructType schema() {
    List<StructField> fields = new ArrayList<>();
    fields.add(DataTypes.createStructField(LON_LAT_WKB, DataTypes.BinaryType, false));
    fields.add(DataTypes.createStructField(NATIVE_WKB, DataTypes.BinaryType, false));
    for (OutputSchema.Field f : attributes()) {
      fields.add(DataTypes.createStructField(f.name(), sparkType(f.type()), !f.required()));
    }
    fields.add(DataTypes.createStructField(SOURCE_PATH, DataTypes.StringType, false));
    fields.add(DataTypes.createStructField(CRS, DataTypes.StringType, false));
    return DataTypes.createStructType(fields);
  }

  /** The output schema's attributes, as every row carries them. */
  static List<OutputSchema.Field> attributes() {
    return OutputSchema.segmentation("", "", r -> false, new Provenance("-", "-")).fields();
  }

  private static DataType sparkType(Class<?> type) {
    if (type == String.class) {
      return DataTypes.StringType;
    }
    if (type == Double.class) {
      return DataTypes.DoubleType;
    }
    if (type == Long.class) {
      return DataTypes.LongType;
    }
    if (type == Boolean.class) {
      return DataTypes.BooleanType;
    }
    throw new IllegalArgumentException("no Spark type for " + type);
  }

  /** One answer row of the job {@code runId}. */
  static Row of(RasterRun raster, SegmentationPlan plan, VectorizedRegion region, String runId)
      throws TransformException {
    WKBWriter wkb = new WKBWriter();
    Geometry lonLat = raster.lonLat().apply(region.geometry());
    Object[] attributes =
        plan.outputSchema(new Provenance(Provenance.sourceName(raster.source()), runId))
            .values(region);
    Object[] values = new Object[attributes.length + 4];
    values[0] = wkb.write(lonLat);
    values[1] = wkb.write(region.geometry());
    System.arraycopy(attributes, 0, values, 2, attributes.length);
    values[attributes.length + 2] = raster.source();
    values[attributes.length + 3] = raster.crsLabel();
    return RowFactory.create(values);
  }
}
