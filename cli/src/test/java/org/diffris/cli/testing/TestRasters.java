package org.diffris.cli.testing;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.file.Path;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.coverage.grid.GridCoverageFactory;
import org.geotools.gce.geotiff.GeoTiffWriter;
import org.geotools.geometry.jts.ReferencedEnvelope;
import org.geotools.referencing.CRS;

/** Small GeoTIFF fixtures written by the test itself (GeoTools' writer), EPSG:32633, 1 m pixels. */
public final class TestRasters {
  private TestRasters() {}

  public static Path byteMask(Path file, int width, int height, byte[] values) throws Exception {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    byte[] data = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
    System.arraycopy(values, 0, data, 0, values.length);
    return write(file, image);
  }

  public static Path write(Path file, BufferedImage image) throws Exception {
    GridCoverage2D coverage =
        new GridCoverageFactory()
            .create(
                "fixture",
                image,
                new ReferencedEnvelope(
                    500000,
                    500000 + image.getWidth(),
                    5300000 - image.getHeight(),
                    5300000,
                    CRS.decode("EPSG:32633")));
    GeoTiffWriter writer = new GeoTiffWriter(file.toFile());
    try {
      writer.write(coverage, null);
    } finally {
      writer.dispose();
    }
    return file;
  }

  /** Band 1 of a GeoTIFF as floats, row by row (a probability raster, for example). */
  public static float[] firstBand(Path file) throws Exception {
    try (org.diffris.geotools.GeoTiffRaster raster =
        org.diffris.geotools.GeoTiffRaster.openWithGeoTools(file)) {
      java.awt.image.Raster rows = raster.readRows(0, raster.height());
      return rows.getSamples(
          rows.getMinX(), rows.getMinY(), raster.width(), raster.height(), 0, (float[]) null);
    }
  }
}
