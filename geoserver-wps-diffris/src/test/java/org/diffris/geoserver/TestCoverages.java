package org.diffris.geoserver;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.coverage.grid.GridCoverageFactory;
import org.geotools.coverage.grid.GridEnvelope2D;
import org.geotools.coverage.grid.GridGeometry2D;
import org.geotools.gce.geotiff.GeoTiffReader;
import org.geotools.gce.geotiff.GeoTiffWriter;
import org.geotools.referencing.CRS;
import org.geotools.referencing.operation.transform.AffineTransform2D;

/**
 * Test rasters: dark 8-bit RGB images with white rectangles (which the analytic test model
 * finds, probability about 0.94 against 0.06 outside), on grids of 0.5 m pixels.
 */
final class TestCoverages {
  /** Width and height of the standard scene. */
  static final int WIDTH = 200;

  static final int HEIGHT = 150;

  /** White rectangles of the standard scene: {column, row, width, height}. */
  static final int[][] OBJECTS = {{30, 40, 20, 10}, {120, 90, 12, 12}};

  /** Upper-left corner of the standard scene in EPSG:32633. */
  static final double ORIGIN_X = 500_000;

  static final double ORIGIN_Y = 5_000_000;

  private TestCoverages() {}

  static BufferedImage scene(int width, int height, int[][] objects) {
    WritableRaster raster =
        Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, width, height, 3, null);
    for (int[] o : objects) {
      for (int r = o[1]; r < o[1] + o[3]; r++) {
        for (int c = o[0]; c < o[0] + o[2]; c++) {
          raster.setPixel(c, r, new int[] {255, 255, 255});
        }
      }
    }
    ComponentColorModel cm =
        new ComponentColorModel(
            ColorSpace.getInstance(ColorSpace.CS_sRGB),
            false,
            false,
            Transparency.OPAQUE,
            DataBuffer.TYPE_BYTE);
    return new BufferedImage(cm, raster, false, null);
  }

  static CoordinateReferenceSystem utm33() {
    try {
      return CRS.decode("EPSG:32633");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A coverage on a grid given by its corner-based grid-to-CRS transform. */
  static GridCoverage2D coverage(
      BufferedImage image, AffineTransform gridToCrs, CoordinateReferenceSystem crs) {
    GridGeometry2D grid =
        new GridGeometry2D(
            new GridEnvelope2D(0, 0, image.getWidth(), image.getHeight()),
            org.geotools.api.referencing.datum.PixelInCell.CELL_CORNER,
            new AffineTransform2D(gridToCrs),
            crs,
            null);
    return new GridCoverageFactory().create("scene", image, grid, null, null, null);
  }

  /** The standard scene, north-up, 0.5 m pixels, EPSG:32633. */
  static GridCoverage2D standard() {
    return coverage(
        scene(WIDTH, HEIGHT, OBJECTS),
        new AffineTransform(0.5, 0, 0, -0.5, ORIGIN_X, ORIGIN_Y),
        utm33());
  }

  /** The standard scene written as a GeoTIFF and read back with GeoTools' GeoTiffReader. */
  static synchronized GridCoverage2D standardFromGeoTiff() throws IOException {
    if (fromGeoTiff != null) {
      return fromGeoTiff;
    }
    File file = Path.of("target", "test-scene.tif").toFile();
    if (!file.exists()) {
      GeoTiffWriter writer = new GeoTiffWriter(file);
      try {
        writer.write(standard(), null);
      } finally {
        writer.dispose();
      }
    }
    // The reader stays open: the coverage's image decodes tiles from it on demand.
    fromGeoTiff = new GeoTiffReader(file).read(null);
    return fromGeoTiff;
  }

  private static GridCoverage2D fromGeoTiff;
}
