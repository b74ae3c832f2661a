package org.diffris.cli.io;

import java.awt.Rectangle;
import java.awt.geom.AffineTransform;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferFloat;
import java.awt.image.Raster;
import java.awt.image.RenderedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffris.cli.InputException;
import org.diffris.vectorizer.MaskBand;
import org.diffris.vectorizer.PixelToWorld;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.geotools.api.referencing.datum.PixelInCell;
import org.geotools.api.referencing.operation.MathTransform;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.coverage.grid.GridGeometry2D;
import org.geotools.coverage.grid.io.imageio.geotiff.GeoTiffIIOMetadataDecoder;
import org.geotools.gce.geotiff.GeoTiffFormat;
import org.geotools.gce.geotiff.GeoTiffReader;
import org.geotools.referencing.CRS;

/**
 * One band of a GeoTIFF read as a mask, a band of rows at a time.
 *
 * <p>Guarantees: the whole raster is never decoded at once ({@link #readBinary} and {@link
 * #readProbabilities} decode only the tiles or strips under the requested rows); nodata pixels
 * (the GeoTIFF nodata tag, and NaN in floating-point bands) are never part of the mask (binary
 * bands leave them out, probability bands turn them into NaN); {@link #pixelToWorld()} maps pixel corners to (easting, northing) or
 * (longitude, latitude) whatever axis order the CRS declares, rotation and shear included.
 */
public final class GeoTiffMask implements AutoCloseable {

  private final GeoTiffReader reader;
  private final GridCoverage2D coverage;
  private final RenderedImage image;
  private final CoordinateReferenceSystem crs;
  private final PixelToWorld pixelToWorld;
  private final int band;
  private final double noData;
  private final boolean hasNoData;

  private GeoTiffMask(GeoTiffReader reader, GridCoverage2D coverage, int band,
      PixelToWorld pixelToWorld, Double noData) {
    this.reader = reader;
    this.coverage = coverage;
    this.image = coverage.getRenderedImage();
    this.crs = reader.getCoordinateReferenceSystem();
    this.band = band;
    this.pixelToWorld = pixelToWorld;
    this.hasNoData = noData != null;
    this.noData = noData == null ? Double.NaN : noData;
  }

  /**
   * Opens {@code file} and selects {@code bandNumber} (1-based, as GIS tools count bands).
   *
   * @throws InputException when the file is missing, not a GeoTIFF, not georeferenced, or lacks
   *     the band
   */
  public static GeoTiffMask open(Path file, int bandNumber) throws InputException {
    if (!Files.isRegularFile(file)) {
      throw new InputException("mask not found: " + file);
    }
    GeoTiffFormat format = new GeoTiffFormat();
    if (!format.accepts(file.toFile())) {
      throw new InputException(isTiff(file)
          ? "raster has no georeferencing (a TIFF without GeoTIFF tags): " + file
          : "not a readable GeoTIFF: " + file);
    }
    GeoTiffReader reader = null;
    try {
      reader = new GeoTiffReader(file.toFile());
      requireGeoreferencing(reader, file);
      GridCoverage2D coverage = reader.read(null);
      int bands = coverage.getRenderedImage().getSampleModel().getNumBands();
      if (bandNumber < 1 || bandNumber > bands) {
        throw new InputException("band " + bandNumber + " requested, raster has " + bands
            + (bands == 1 ? " band" : " bands"));
      }
      GeoTiffIIOMetadataDecoder metadata = reader.getMetadata();
      Double noData = metadata != null && metadata.hasNoData() ? metadata.getNoData() : null;
      PixelToWorld pixelToWorld = pixelToWorld(reader, coverage.getRenderedImage());
      return new GeoTiffMask(reader, coverage, bandNumber - 1, pixelToWorld, noData);
    } catch (InputException e) {
      dispose(reader);
      throw e;
    } catch (IOException | RuntimeException e) {
      dispose(reader);
      throw new InputException("not a readable GeoTIFF: " + file + " (" + firstLine(e) + ")", e);
    }
  }

  private static void requireGeoreferencing(GeoTiffReader reader, Path file) throws InputException {
    GeoTiffIIOMetadataDecoder metadata = reader.getMetadata();
    boolean inFile = metadata != null
        && ((metadata.hasTiePoints() && metadata.hasPixelScales())
            || metadata.hasModelTrasformation());
    String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
    boolean worldFile = Files.exists(file.resolveSibling(stem + ".tfw"))
        || Files.exists(file.resolveSibling(stem + ".wld"));
    if (!inFile && !worldFile) {
      throw new InputException("raster has no georeferencing (no GeoTIFF tie points or model "
          + "transformation, no world file): " + file);
    }
    if (metadata != null && !metadata.hasGeoKey()) {
      throw new InputException("raster has no coordinate reference system (no GeoTIFF geokeys): "
          + file);
    }
  }

  private static PixelToWorld pixelToWorld(GeoTiffReader reader, RenderedImage image)
      throws InputException {
    MathTransform gridToWorld = reader.getOriginalGridToWorld(PixelInCell.CELL_CORNER);
    if (!(gridToWorld instanceof AffineTransform)) {
      throw new InputException("raster's pixel-to-world transform is not affine: " + gridToWorld);
    }
    AffineTransform at = new AffineTransform((AffineTransform) gridToWorld);
    at.translate(image.getMinX(), image.getMinY()); // our rows and columns start at 0
    double[] gt = {at.getTranslateX(), at.getScaleX(), at.getShearX(),
        at.getTranslateY(), at.getShearY(), at.getScaleY()};
    if (CRS.getAxisOrder(reader.getCoordinateReferenceSystem()) == CRS.AxisOrder.NORTH_EAST) {
      // Polygons are written x = east / longitude (GeoPackage and GeoJSON order): swap the rows.
      gt = new double[] {gt[3], gt[4], gt[5], gt[0], gt[1], gt[2]};
    }
    return PixelToWorld.fromGdal(gt);
  }

  public int width() {
    return image.getWidth();
  }

  public int height() {
    return image.getHeight();
  }

  public CoordinateReferenceSystem crs() {
    return crs;
  }

  /** Number of bands in the file. */
  public int bandCount() {
    return image.getSampleModel().getNumBands();
  }

  /** The whole decoded image (deferred: tiles are decoded only where read). */
  public RenderedImage image() {
    return image;
  }

  /** The GeoTIFF nodata value, or NaN when the file has none. */
  public double noDataValue() {
    return noData;
  }

  /** The raster's grid and CRS as GeoTools has them, for writing rasters on the same grid. */
  public GridGeometry2D gridGeometry() {
    return coverage.getGridGeometry();
  }

  public PixelToWorld pixelToWorld() {
    return pixelToWorld;
  }

  /** True when the band holds floating-point samples (probabilities, typically). */
  public boolean isFloatingPoint() {
    int type = image.getSampleModel().getDataType();
    return type == DataBuffer.TYPE_FLOAT || type == DataBuffer.TYPE_DOUBLE;
  }

  /**
   * {@code threshold} rounded to the band's sample precision, so that a float32 pixel holding
   * the nearest float to 0.9 counts as {@code >= 0.9}, as GDAL and numpy compare.
   */
  public double thresholdAtSamplePrecision(double threshold) {
    return image.getSampleModel().getDataType() == DataBuffer.TYPE_FLOAT
        ? (double) (float) threshold : threshold;
  }

  /** Rows per read that keep whole tiles or strips together and a band near 4 M pixels. */
  public int rowsPerRead() {
    int tileHeight = Math.max(1, image.getTileHeight());
    long targetRows = Math.max(1, (4L << 20) / Math.max(1, width()));
    long tiles = Math.max(1, targetRows / tileHeight);
    return (int) Math.min(height(), tiles * tileHeight);
  }

  /**
   * Rows {@code [firstRow, firstRow + rows)} as a binary mask: non-zero, non-nodata pixels. Nodata
   * pixels are simply out of the mask, so no validity array is needed.
   */
  public MaskBand readBinary(int firstRow, int rows) {
    int w = width();
    byte[] mask = new byte[w * rows];
    Raster raster = readRows(firstRow, rows);
    ComponentSampleModel layout = directLayout(raster, DataBuffer.TYPE_BYTE);
    if (layout != null) {
      // Fast path for byte masks: read the data buffer, no per-sample virtual calls.
      byte[] data = ((DataBufferByte) raster.getDataBuffer()).getData(layout.getBankIndices()[band]);
      int noDataByte = hasNoData && noData == Math.rint(noData) ? (int) noData : -1;
      for (int r = 0; r < rows; r++) {
        int src = firstElement(raster, layout, r);
        int step = layout.getPixelStride();
        int dst = r * w;
        for (int c = 0; c < w; c++, src += step) {
          int v = data[src] & 0xff;
          mask[dst + c] = (byte) (v != 0 && v != noDataByte ? 1 : 0);
        }
      }
    } else if (isFloatingPoint()) {
      float[] samples = raster.getSamples(raster.getMinX(), raster.getMinY(), w, rows, band,
          (float[]) null);
      for (int i = 0; i < mask.length; i++) {
        float v = samples[i];
        mask[i] = (byte) (v != 0f && !isNoData(v) ? 1 : 0);
      }
    } else {
      int[] samples = raster.getSamples(raster.getMinX(), raster.getMinY(), w, rows, band,
          (int[]) null);
      for (int i = 0; i < mask.length; i++) {
        int v = samples[i];
        mask[i] = (byte) (v != 0 && !(hasNoData && v == noData) ? 1 : 0);
      }
    }
    return MaskBand.binary(firstRow, w, rows, mask, null);
  }

  /** Rows {@code [firstRow, firstRow + rows)} as probabilities; nodata pixels become NaN. */
  public MaskBand readProbabilities(int firstRow, int rows) {
    int w = width();
    Raster raster = readRows(firstRow, rows);
    float[] p;
    ComponentSampleModel layout = directLayout(raster, DataBuffer.TYPE_FLOAT);
    if (layout != null) {
      float[] data = ((DataBufferFloat) raster.getDataBuffer())
          .getData(layout.getBankIndices()[band]);
      p = new float[w * rows];
      for (int r = 0; r < rows; r++) {
        int src = firstElement(raster, layout, r);
        int step = layout.getPixelStride();
        int dst = r * w;
        for (int c = 0; c < w; c++, src += step) {
          p[dst + c] = data[src];
        }
      }
    } else {
      p = raster.getSamples(raster.getMinX(), raster.getMinY(), w, rows, band, (float[]) null);
    }
    if (hasNoData) {
      for (int i = 0; i < p.length; i++) {
        if (isNoData(p[i])) {
          p[i] = Float.NaN; // NaN is nodata to the vectorizer
        }
      }
    }
    return MaskBand.probabilities(firstRow, w, rows, p, null);
  }

  private boolean isNoData(float v) {
    return Float.isNaN(v) || (hasNoData && v == (float) noData);
  }

  /** The raster's layout when its samples of {@link #band} can be read straight from the buffer. */
  private ComponentSampleModel directLayout(Raster raster, int dataType) {
    if (raster.getSampleModel() instanceof ComponentSampleModel layout
        && layout.getDataType() == dataType
        && raster.getDataBuffer().getDataType() == dataType) {
      return layout;
    }
    return null;
  }

  /** Index in the data bank of the band's sample at the first column of raster row {@code r}. */
  private int firstElement(Raster raster, ComponentSampleModel layout, int r) {
    int x = raster.getMinX() - raster.getSampleModelTranslateX();
    int y = raster.getMinY() + r - raster.getSampleModelTranslateY();
    int bank = layout.getBankIndices()[band];
    return raster.getDataBuffer().getOffsets()[bank] + y * layout.getScanlineStride()
        + x * layout.getPixelStride() + layout.getBandOffsets()[band];
  }

  private Raster readRows(int firstRow, int rows) {
    return image.getData(
        new Rectangle(image.getMinX(), image.getMinY() + firstRow, image.getWidth(), rows));
  }

  @Override
  public void close() {
    coverage.dispose(true);
    dispose(reader);
  }

  private static void dispose(GeoTiffReader reader) {
    if (reader != null) {
      reader.dispose();
    }
  }

  private static boolean isTiff(Path file) {
    try (var in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(4);
      return head.length == 4
          && ((head[0] == 'I' && head[1] == 'I' && head[2] == 42 && head[3] == 0)
              || (head[0] == 'M' && head[1] == 'M' && head[2] == 0 && head[3] == 42)
              || (head[0] == 'I' && head[1] == 'I' && head[2] == 43 && head[3] == 0)
              || (head[0] == 'M' && head[1] == 'M' && head[2] == 0 && head[3] == 43));
    } catch (IOException e) {
      return false;
    }
  }

  private static String firstLine(Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
