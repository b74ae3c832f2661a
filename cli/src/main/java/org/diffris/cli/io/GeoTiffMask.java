package org.diffris.cli.io;

import java.awt.Rectangle;
import java.awt.geom.AffineTransform;
import java.awt.image.DataBuffer;
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
import org.geotools.coverage.grid.io.imageio.geotiff.GeoTiffIIOMetadataDecoder;
import org.geotools.gce.geotiff.GeoTiffFormat;
import org.geotools.gce.geotiff.GeoTiffReader;
import org.geotools.referencing.CRS;

/**
 * One band of a GeoTIFF read as a mask, a band of rows at a time.
 *
 * <p>Guarantees: the whole raster is never decoded at once ({@link #readBinary} and {@link
 * #readProbabilities} decode only the tiles or strips under the requested rows); nodata pixels
 * (the GeoTIFF nodata tag, and NaN in floating-point bands) are never part of the mask and are
 * reported as invalid; {@link #pixelToWorld()} maps pixel corners to (easting, northing) or
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

  /** Rows {@code [firstRow, firstRow + rows)} as a binary mask: non-zero, non-nodata pixels. */
  public MaskBand readBinary(int firstRow, int rows) {
    int n = width() * rows;
    byte[] mask = new byte[n];
    byte[] valid = new byte[n];
    Raster raster = readRows(firstRow, rows);
    if (isFloatingPoint()) {
      float[] samples = raster.getSamples(raster.getMinX(), raster.getMinY(), width(), rows, band,
          (float[]) null);
      for (int i = 0; i < n; i++) {
        float v = samples[i];
        boolean ok = !Float.isNaN(v) && !(hasNoData && v == (float) noData);
        valid[i] = (byte) (ok ? 1 : 0);
        mask[i] = (byte) (ok && v != 0f ? 1 : 0);
      }
    } else {
      int[] samples = raster.getSamples(raster.getMinX(), raster.getMinY(), width(), rows, band,
          (int[]) null);
      for (int i = 0; i < n; i++) {
        int v = samples[i];
        boolean ok = !(hasNoData && v == noData);
        valid[i] = (byte) (ok ? 1 : 0);
        mask[i] = (byte) (ok && v != 0 ? 1 : 0);
      }
    }
    return MaskBand.binary(firstRow, width(), rows, mask, valid);
  }

  /** Rows {@code [firstRow, firstRow + rows)} as probabilities; nodata pixels are invalid. */
  public MaskBand readProbabilities(int firstRow, int rows) {
    int n = width() * rows;
    byte[] valid = new byte[n];
    Raster raster = readRows(firstRow, rows);
    float[] p = raster.getSamples(raster.getMinX(), raster.getMinY(), width(), rows, band,
        (float[]) null);
    for (int i = 0; i < n; i++) {
      float v = p[i];
      boolean ok = !Float.isNaN(v) && !(hasNoData && v == (float) noData);
      valid[i] = (byte) (ok ? 1 : 0);
    }
    return MaskBand.probabilities(firstRow, width(), rows, p, valid);
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
