package org.diffris.cli.io;

import java.io.IOException;
import java.nio.file.Path;
import org.diffris.geotools.SpatialReference;
import org.diffris.output.GeoPackageWriter;
import org.diffris.pipeline.OutputSchema;
import org.diffris.vectorizer.VectorizedRegion;

/** A job's regions as a GeoPackage layer in the raster's CRS, one region at a time. */
public final class GeoPackageRegions implements RegionWriter {
  private final GeoPackageWriter writer;
  private final OutputSchema schema;

  /** @see GeoPackageWriter#GeoPackageWriter */
  public GeoPackageRegions(
      Path file, String layer, SpatialReference srs, boolean multi, OutputSchema schema)
      throws IOException {
    this.writer = new GeoPackageWriter(file, layer, srs, multi, schema.fields());
    this.schema = schema;
  }

  @Override
  public void accept(VectorizedRegion region) throws IOException {
    writer.add(region, schema);
  }

  @Override
  public void finish() throws IOException {
    writer.finish();
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }
}
