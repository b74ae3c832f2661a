package org.diffris.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.diffris.geotools.SpatialReference;
import org.diffris.output.GeoPackageWriter;
import org.diffris.pipeline.OutputSchema;
import org.geotools.referencing.CRS;
import org.locationtech.jts.geom.Geometry;

/**
 * The job's answers as one GeoPackage layer on the driver, for results small enough for one file:
 * the GeoParquet layer's rows streamed a partition at a time, longitude/latitude geometries
 * (EPSG:4326, x = longitude as GeoPackage stores it), the output schema's columns plus
 * {@code source} and {@code crs}.
 */
final class AnswersGeoPackage {
  private AnswersGeoPackage() {}

  static void write(Dataset<Row> answers, Path temporary, Path target) throws IOException {
    List<OutputSchema.Field> columns = new ArrayList<>(FeatureRows.attributes());
    columns.add(new OutputSchema.Field(FeatureRows.SOURCE_PATH, String.class, true));
    columns.add(new OutputSchema.Field(FeatureRows.CRS, String.class, true));
    SpatialReference wgs84;
    try {
      wgs84 = SpatialReference.of(CRS.decode("EPSG:4326"));
    } catch (org.geotools.api.referencing.FactoryException e) {
      throw new IOException("EPSG:4326 is not in this GeoTools' EPSG database", e);
    }
    try (GeoPackageWriter gpkg =
        new GeoPackageWriter(temporary, GeoPackageWriter.layerName(target), wgs84, true, columns)) {
      Iterator<Row> rows = answers.toLocalIterator();
      Object[] values = new Object[columns.size()];
      while (rows.hasNext()) {
        Row row = rows.next();
        for (int i = 0; i < values.length; i++) {
          values[i] = row.getAs(columns.get(i).name());
        }
        gpkg.add((Geometry) row.getAs("geometry"), values);
      }
      gpkg.finish();
    }
  }
}
