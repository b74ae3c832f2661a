package org.diffris.cli.io;

import it.geosolutions.jaiext.range.NoDataContainer;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferFloat;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.geotools.api.parameter.GeneralParameterValue;
import org.geotools.api.parameter.ParameterValueGroup;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.coverage.grid.GridCoverageFactory;
import org.geotools.coverage.grid.GridGeometry2D;
import org.geotools.coverage.grid.io.AbstractGridFormat;
import org.geotools.coverage.grid.io.imageio.GeoToolsWriteParams;
import org.geotools.coverage.util.CoverageUtilities;
import org.geotools.gce.geotiff.GeoTiffFormat;
import org.geotools.gce.geotiff.GeoTiffWriteParams;
import org.geotools.gce.geotiff.GeoTiffWriter;
import org.geotools.util.factory.Hints;

/**
 * The blended probabilities of a run as a single-band float32 GeoTIFF on the raster's own grid
 * (same size, transform and CRS), DEFLATE-compressed in 256 x 256 tiles, with NaN (also the
 * nodata tag) where the raster had nodata.
 *
 * <p>Holds {@code width x height} floats (4 bytes a pixel) until {@link #write}: the only part of
 * a segment run whose memory grows with the raster, and only when probabilities are asked for.
 */
public final class ProbabilityTiff {
  private final int width;
  private final int height;
  private final float[] values;

  public ProbabilityTiff(int width, int height) {
    if ((long) width * height > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "raster of "
              + width
              + " x "
              + height
              + " pixels is too large for a probability GeoTIFF written from memory");
    }
    this.width = width;
    this.height = height;
    this.values = new float[width * height];
    // Pixels no band reaches (outside an roi's rectangle) hold no probability.
    java.util.Arrays.fill(values, Float.NaN);
  }

  /**
   * A consumer of the bands of a rectangle of this raster whose corner is pixel ({@code column},
   * {@code row}) (the rectangle an roi reads); each band is as wide as the rectangle.
   */
  public org.diffris.runtime.tiling.BandConsumer at(int column, int row) {
    return (firstRow, rows, probabilities, valid) -> {
      int bandWidth = probabilities.length / rows;
      for (int r = 0; r < rows; r++) {
        int to = (row + firstRow + r) * width + column;
        for (int c = 0; c < bandWidth; c++) {
          int i = r * bandWidth + c;
          values[to + c] = valid != null && valid[i] == 0 ? Float.NaN : probabilities[i];
        }
      }
    };
  }

  /** Copies one full-width band of rows; invalid pixels become NaN. */
  public void put(int firstRow, int rows, float[] probabilities, byte[] valid) {
    int offset = firstRow * width;
    for (int i = 0; i < rows * width; i++) {
      values[offset + i] = valid != null && valid[i] == 0 ? Float.NaN : probabilities[i];
    }
  }

  /** Writes the GeoTIFF to {@code file} (absent or empty) on {@code grid}. */
  public void write(Path file, GridGeometry2D grid) throws IOException {
    DataBufferFloat buffer = new DataBufferFloat(values, values.length);
    PixelInterleavedSampleModel layout =
        new PixelInterleavedSampleModel(
            DataBuffer.TYPE_FLOAT, width, height, 1, width, new int[] {0});
    WritableRaster raster = Raster.createWritableRaster(layout, buffer, null);
    ComponentColorModel colours =
        new ComponentColorModel(
            ColorSpace.getInstance(ColorSpace.CS_GRAY),
            false,
            false,
            Transparency.OPAQUE,
            DataBuffer.TYPE_FLOAT);
    BufferedImage image = new BufferedImage(colours, raster, false, null);
    Map<String, Object> properties = new HashMap<>();
    CoverageUtilities.setNoDataProperty(properties, new NoDataContainer(Double.NaN));
    GridCoverage2D coverage =
        new GridCoverageFactory().create("probability", image, grid, null, null, properties);
    GeoTiffWriter writer =
        new GeoTiffWriter(
            file.toFile(),
            new Hints(
                Hints.DEFAULT_COORDINATE_REFERENCE_SYSTEM, grid.getCoordinateReferenceSystem()));
    try {
      GeoTiffWriteParams params = new GeoTiffWriteParams();
      params.setCompressionMode(GeoTiffWriteParams.MODE_EXPLICIT);
      params.setCompressionType("Deflate");
      params.setTilingMode(GeoToolsWriteParams.MODE_EXPLICIT);
      params.setTiling(256, 256);
      ParameterValueGroup group = new GeoTiffFormat().getWriteParameters();
      group
          .parameter(AbstractGridFormat.GEOTOOLS_WRITE_PARAMS.getName().toString())
          .setValue(params);
      writer.write(coverage, group.values().toArray(new GeneralParameterValue[0]));
    } finally {
      writer.dispose();
      coverage.dispose(true);
    }
  }
}
