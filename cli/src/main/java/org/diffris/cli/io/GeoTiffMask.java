package org.diffris.cli.io;

import java.awt.Rectangle;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferFloat;
import java.awt.image.Raster;
import java.awt.image.RenderedImage;
import java.awt.image.SampleModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import it.geosolutions.imageio.stream.input.FileImageInputStreamExtImpl;
import it.geosolutions.imageioimpl.plugins.tiff.TIFFImageMetadata;
import it.geosolutions.imageioimpl.plugins.tiff.TIFFImageReaderSpi;
import org.diffris.cli.InputException;
import org.diffris.geoserver.coverage.CoverageCrs;
import org.diffris.geoserver.coverage.CoverageInputException;
import org.diffris.geoserver.coverage.CoverageRaster;
import org.diffris.vectorizer.AreaModel;
import org.diffris.vectorizer.MaskBand;
import org.diffris.vectorizer.PixelToWorld;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.geotools.api.referencing.datum.PixelInCell;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.coverage.grid.GridGeometry2D;
import org.geotools.coverage.grid.io.imageio.geotiff.GeoTiffIIOMetadataDecoder;
import org.geotools.gce.geotiff.GeoTiffFormat;
import org.geotools.gce.geotiff.GeoTiffReader;

/**
 * One band of a GeoTIFF read as a mask, a band of rows at a time.
 *
 * <p>Guarantees: the whole raster is never decoded at once ({@link #readBinary} and {@link
 * #readProbabilities} decode only the tiles or strips under the requested rows); nodata pixels
 * (the GeoTIFF nodata tag, and NaN in floating-point bands) are never part of the mask (binary
 * bands leave them out, probability bands turn them into NaN); {@link #pixelToWorld()} maps pixel corners to (easting, northing) or
 * (longitude, latitude) whatever axis order the CRS declares, rotation and shear included.
 *
 * <p>Two ways in, same results: a north-up GeoTIFF whose CRS is one EPSG code listed in {@link
 * CommonCrs} is read with the TIFF decoder alone and its tags parsed here, so that GeoTools'
 * referencing (seconds of start-up) is loaded only if {@link #crs()} is called; every other
 * GeoTIFF goes through GeoTools' {@code GeoTiffReader}.
 */
public final class GeoTiffMask implements AutoCloseable {

  private final Path file;
  private final GeoTiffReader reader; // null on the direct path
  private final GridCoverage2D coverage; // null on the direct path
  private final RenderedImage image; // null on the direct path
  private final ImageReader tiff; // null on the GeoTools path
  private final ImageInputStream tiffInput;
  private final int width;
  private final int height;
  private final int tileHeight;
  private final SampleModel sampleModel;
  private final CommonCrs commonCrs; // null on the GeoTools path
  private CoordinateReferenceSystem crs; // decoded on demand on the direct path
  private final PixelToWorld pixelToWorld;
  private final int band;
  private final double noData;
  private final boolean hasNoData;

  private GeoTiffMask(Path file, GeoTiffReader reader, GridCoverage2D coverage, int band,
      PixelToWorld pixelToWorld, Double noData) {
    this.file = file;
    this.reader = reader;
    this.coverage = coverage;
    this.image = coverage.getRenderedImage();
    this.tiff = null;
    this.tiffInput = null;
    this.width = image.getWidth();
    this.height = image.getHeight();
    this.tileHeight = image.getTileHeight();
    this.sampleModel = image.getSampleModel();
    this.commonCrs = null;
    this.crs = reader.getCoordinateReferenceSystem();
    this.band = band;
    this.pixelToWorld = pixelToWorld;
    this.hasNoData = noData != null;
    this.noData = noData == null ? Double.NaN : noData;
  }

  private GeoTiffMask(Path file, ImageReader tiff, ImageInputStream tiffInput, int band,
      SimpleGeoTiffTags tags, CommonCrs commonCrs) throws IOException {
    this.file = file;
    this.reader = null;
    this.coverage = null;
    this.image = null;
    this.tiff = tiff;
    this.tiffInput = tiffInput;
    this.width = tiff.getWidth(0);
    this.height = tiff.getHeight(0);
    this.tileHeight = tiff.getTileHeight(0);
    this.sampleModel = tiff.getRawImageType(0).getSampleModel();
    this.commonCrs = commonCrs;
    this.band = band;
    double[] gt = tags.gdalTransform();
    if (commonCrs.northEast()) {
      gt = new double[] {gt[3], gt[4], gt[5], gt[0], gt[1], gt[2]};
    }
    this.pixelToWorld = PixelToWorld.fromGdal(gt);
    this.hasNoData = tags.noData() != null;
    this.noData = hasNoData ? tags.noData() : Double.NaN;
  }

  /**
   * Opens {@code file} through GeoTools and selects {@code bandNumber} (1-based, as GIS tools
   * count bands). Every method works on the result.
   *
   * @throws InputException when the file is missing, not a GeoTIFF, not georeferenced, or lacks
   *     the band
   */
  public static GeoTiffMask open(Path file, int bandNumber) throws InputException {
    if (!Files.isRegularFile(file)) {
      throw new InputException("mask not found: " + file);
    }
    return openWithGeoTools(file, bandNumber);
  }

  /**
   * As {@link #open}, taking the direct path when the file allows it (see the class
   * documentation); on the direct path {@link #image()} and {@link #gridGeometry()} are not
   * available, everything a vectorizer needs is, with the same values as {@link #open} gives.
   */
  public static GeoTiffMask openForVectorizing(Path file, int bandNumber) throws InputException {
    if (!Files.isRegularFile(file)) {
      throw new InputException("mask not found: " + file);
    }
    GeoTiffMask direct = openDirect(file, bandNumber);
    return direct != null ? direct : openWithGeoTools(file, bandNumber);
  }

  /** The direct path, or {@code null} when the file is not a simple case (see class doc). */
  static GeoTiffMask openDirect(Path file, int bandNumber) {
    if (hasWorldFile(file)) {
      return null; // GeoTools decides between the tags and the world file
    }
    ImageInputStream input = null;
    ImageReader tiff = null;
    try {
      input = new FileImageInputStreamExtImpl(file.toFile());
      TIFFImageReaderSpi spi = new TIFFImageReaderSpi();
      if (!spi.canDecodeInput(input)) {
        input.close();
        return null;
      }
      tiff = spi.createReaderInstance();
      tiff.setInput(input);
      if (!(tiff.getImageMetadata(0) instanceof TIFFImageMetadata metadata)) {
        throw new IOException("no TIFF metadata");
      }
      SimpleGeoTiffTags tags = SimpleGeoTiffTags.parse(metadata);
      CommonCrs common = tags == null ? null : CommonCrs.lookup(tags.epsgCode());
      int bands = tiff.getRawImageType(0).getSampleModel().getNumBands();
      if (common == null || bandNumber < 1 || bandNumber > bands) {
        throw new IOException("not the simple case");
      }
      return new GeoTiffMask(file, tiff, input, bandNumber - 1, tags, common);
    } catch (IOException | RuntimeException e) {
      // Anything unusual, errors included, is left to GeoTools, which reports it properly.
      if (tiff != null) {
        tiff.dispose();
      }
      if (input != null) {
        try {
          input.close();
        } catch (IOException ignored) {
          // nothing else to release
        }
      }
      return null;
    }
  }

  /** The file's tags if the direct path can read its georeferencing, else {@code null}. */
  static SimpleGeoTiffTags simpleTags(Path file) throws IOException {
    ImageInputStream input = new FileImageInputStreamExtImpl(file.toFile());
    ImageReader tiff = null;
    try {
      TIFFImageReaderSpi spi = new TIFFImageReaderSpi();
      if (!spi.canDecodeInput(input)) {
        return null;
      }
      tiff = spi.createReaderInstance();
      tiff.setInput(input);
      return tiff.getImageMetadata(0) instanceof TIFFImageMetadata metadata
          ? SimpleGeoTiffTags.parse(metadata) : null;
    } finally {
      if (tiff != null) {
        tiff.dispose();
      }
      input.close();
    }
  }

  static GeoTiffMask openWithGeoTools(Path file, int bandNumber) throws InputException {
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
      return new GeoTiffMask(file, reader, coverage, bandNumber - 1, pixelToWorld, noData);
    } catch (InputException e) {
      dispose(reader);
      throw e;
    } catch (IOException | RuntimeException e) {
      dispose(reader);
      throw new InputException("not a readable GeoTIFF: " + file + " (" + firstLine(e) + ")", e);
    }
  }

  private static boolean hasWorldFile(Path file) {
    String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
    return Files.exists(file.resolveSibling(stem + ".tfw"))
        || Files.exists(file.resolveSibling(stem + ".wld"));
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

  /** The plugin's conversion, so that both hosts put the same pixels at the same places. */
  private static PixelToWorld pixelToWorld(GeoTiffReader reader, RenderedImage image)
      throws InputException {
    try {
      return CoverageRaster.pixelToWorld(reader.getOriginalGridToWorld(PixelInCell.CELL_CORNER),
          image, reader.getCoordinateReferenceSystem());
    } catch (CoverageInputException e) {
      throw new InputException(e.getMessage(), e);
    }
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /**
   * The raster's CRS as GeoTools decodes it. On the direct path the first call loads GeoTools'
   * referencing and decodes the file's GeoKeys (seconds on a cold JVM); {@link
   * #spatialReference()} and {@link #areaModel()} do not need it.
   */
  public synchronized CoordinateReferenceSystem crs() {
    if (crs == null) {
      GeoTiffReader full = null;
      try {
        full = new GeoTiffReader(file.toFile());
        crs = full.getCoordinateReferenceSystem();
      } catch (IOException e) {
        throw new IllegalStateException("cannot decode the CRS of " + file + ": "
            + e.getMessage(), e);
      } finally {
        dispose(full);
      }
    }
    return crs;
  }

  /** The CRS's EPSG code, name and WKT, as written to outputs. */
  public SpatialReference spatialReference() throws InputException {
    return commonCrs != null ? commonCrs.srs() : SpatialReference.of(crs());
  }

  /** How areas in square metres are measured in this raster's CRS. */
  public AreaModel areaModel() throws InputException {
    if (commonCrs != null) {
      return commonCrs.areaModel();
    }
    try {
      return CoverageCrs.areaModel(crs()); // the plugin's choice: both hosts report the same areas
    } catch (CoverageInputException e) {
      throw new InputException(e.getMessage(), e);
    }
  }

  private void requireGeoTools(String method) {
    if (coverage == null) {
      throw new IllegalStateException(method + " needs a mask opened with GeoTiffMask.open");
    }
  }

  /** True when the raster was opened without GeoTools (see the class documentation). */
  boolean isDirect() {
    return tiff != null;
  }

  /** Number of bands in the file. */
  public int bandCount() {
    return sampleModel.getNumBands();
  }

  /** The whole decoded image (deferred: tiles are decoded only where read). */
  public RenderedImage image() {
    requireGeoTools("image()");
    return image;
  }

  /** The GeoTIFF nodata value, or NaN when the file has none. */
  public double noDataValue() {
    return noData;
  }

  /** The raster's grid and CRS as GeoTools has them, for writing rasters on the same grid. */
  public GridGeometry2D gridGeometry() {
    requireGeoTools("gridGeometry()");
    return coverage.getGridGeometry();
  }

  public PixelToWorld pixelToWorld() {
    return pixelToWorld;
  }

  /** The sample type of every band, a {@code java.awt.image.DataBuffer.TYPE_*} constant. */
  public int dataType() {
    return sampleModel.getDataType();
  }

  /** True when the band holds floating-point samples (probabilities, typically). */
  public boolean isFloatingPoint() {
    int type = sampleModel.getDataType();
    return type == DataBuffer.TYPE_FLOAT || type == DataBuffer.TYPE_DOUBLE;
  }

  /**
   * {@code threshold} rounded to the band's sample precision, so that a float32 pixel holding
   * the nearest float to 0.9 counts as {@code >= 0.9}, as GDAL and numpy compare.
   */
  public double thresholdAtSamplePrecision(double threshold) {
    return sampleModel.getDataType() == DataBuffer.TYPE_FLOAT
        ? (double) (float) threshold : threshold;
  }

  /** Rows per read that keep whole tiles or strips together and a band near 4 M pixels. */
  public int rowsPerRead() {
    int rowsPerTile = Math.max(1, tileHeight);
    long targetRows = Math.max(1, (4L << 20) / Math.max(1, width()));
    long tiles = Math.max(1, targetRows / rowsPerTile);
    return (int) Math.min(height(), tiles * rowsPerTile);
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

  /**
   * Rows {@code [firstRow, firstRow + rows)}, full width, every band, as decoded (the raster's
   * own coordinates may start anywhere: use its minX and minY). Works on both paths.
   */
  public Raster readRows(int firstRow, int rows) {
    if (tiff == null) {
      return image.getData(
          new Rectangle(image.getMinX(), image.getMinY() + firstRow, image.getWidth(), rows));
    }
    ImageReadParam region = tiff.getDefaultReadParam();
    region.setSourceRegion(new Rectangle(0, firstRow, width, rows));
    try {
      return tiff.read(0, region).getRaster();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot decode rows " + firstRow + " to "
          + (firstRow + rows - 1) + " of " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (tiff != null) {
      tiff.dispose();
      try {
        tiffInput.close();
      } catch (IOException e) {
        // read-only file: nothing to lose
      }
    } else {
      coverage.dispose(true);
      dispose(reader);
    }
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
