package org.diffris.geotools;

import java.awt.image.DataBuffer;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.IOException;
import org.diffris.pipeline.SampleType;
import org.diffris.vectorizer.AreaModel;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.geotools.coverage.grid.GridGeometry2D;

/**
 * A GeoTIFF of samples packed in 9 to 15 bits: its georeferencing from the usual reader, its
 * pixels from {@link PackedSamples}, 16-bit samples whose declared depth the value scaling uses.
 */
final class PackedGeoTiff extends GeoTiffRaster {
  private final GeoTiffRaster georeferencing;
  private final PackedSamples samples;

  PackedGeoTiff(GeoTiffRaster georeferencing, PackedSamples samples) {
    super(
        georeferencing.file(),
        georeferencing.width(),
        georeferencing.height(),
        Math.max(1, georeferencing.rowsPerRead()),
        new PixelInterleavedSampleModel(
            DataBuffer.TYPE_USHORT,
            georeferencing.width(),
            1,
            samples.bands(),
            georeferencing.width() * samples.bands(),
            bandOffsets(samples.bands())),
        georeferencing.pixelToWorld(),
        georeferencing.noData());
    this.georeferencing = georeferencing;
    this.samples = samples;
  }

  private static int[] bandOffsets(int bands) {
    int[] offsets = new int[bands];
    for (int b = 0; b < bands; b++) {
      offsets[b] = b;
    }
    return offsets;
  }

  @Override
  SampleType sampleType() {
    return new SampleType(SampleType.Kind.UNSIGNED_INTEGER, 16, samples.bits());
  }

  @Override
  public CoordinateReferenceSystem crs() {
    return georeferencing.crs();
  }

  @Override
  public SpatialReference spatialReference() {
    return georeferencing.spatialReference();
  }

  @Override
  public AreaModel areaModel() {
    return georeferencing.areaModel();
  }

  @Override
  public GridGeometry2D gridGeometry() {
    return georeferencing.gridGeometry();
  }

  @Override
  Raster decodeRows(int firstRow, int rows) throws IOException {
    return samples.readRows(firstRow, rows);
  }

  @Override
  public void close() {
    georeferencing.close();
  }
}
