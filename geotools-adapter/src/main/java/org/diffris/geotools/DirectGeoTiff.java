package org.diffris.geotools;

import it.geosolutions.imageio.stream.input.FileImageInputStreamExtImpl;
import it.geosolutions.imageioimpl.plugins.tiff.TIFFImageMetadata;
import it.geosolutions.imageioimpl.plugins.tiff.TIFFImageReaderSpi;
import java.awt.Rectangle;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.diffris.vectorizer.AreaModel;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.geotools.coverage.grid.GridGeometry2D;
import org.geotools.gce.geotiff.GeoTiffReader;

/**
 * The fast path of {@link GeoTiffRaster}: the TIFF decoder and the GeoTIFF tags parsed here
 * ({@link SimpleGeoTiffTags}) for a CRS listed in {@link CommonCrs}; GeoTools' referencing is
 * loaded only when {@link #crs()} is asked for.
 */
final class DirectGeoTiff extends GeoTiffRaster {
  private final ImageReader tiff;
  private final ImageInputStream input;
  private final CommonCrs commonCrs;
  private CoordinateReferenceSystem crs; // decoded on demand

  private DirectGeoTiff(
      Path file,
      ImageReader tiff,
      ImageInputStream input,
      SimpleGeoTiffTags tags,
      CommonCrs commonCrs)
      throws IOException {
    super(
        file,
        tiff.getWidth(0),
        tiff.getHeight(0),
        tiff.getTileHeight(0),
        tiff.getRawImageType(0).getSampleModel(),
        AxisOrder.eastFirst(tags.gdalTransform(), commonCrs.northEast()),
        tags.noData());
    this.tiff = tiff;
    this.input = input;
    this.commonCrs = commonCrs;
  }

  /** The fast path for {@code file}, or {@code null} when the file is not the simple case. */
  static DirectGeoTiff openIfSimple(Path file) {
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
      if (common == null) {
        throw new IOException("not the simple case");
      }
      return new DirectGeoTiff(file, tiff, input, tags, common);
    } catch (IOException | RuntimeException e) {
      // Anything unusual, errors included, is left to GeoTools, which reports it properly.
      release(tiff, input);
      return null;
    }
  }

  /** The file's tags if the fast path can read its georeferencing, else {@code null}. */
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
          ? SimpleGeoTiffTags.parse(metadata)
          : null;
    } finally {
      release(tiff, input);
    }
  }

  @Override
  public synchronized CoordinateReferenceSystem crs() {
    if (crs == null) {
      GeoTiffReader full = null;
      try {
        full = new GeoTiffReader(file.toFile());
        crs = full.getCoordinateReferenceSystem();
      } catch (IOException e) {
        throw new IllegalStateException(
            "cannot decode the CRS of " + file + ": " + e.getMessage(), e);
      } finally {
        if (full != null) {
          full.dispose();
        }
      }
    }
    return crs;
  }

  @Override
  public SpatialReference spatialReference() {
    return commonCrs.srs();
  }

  @Override
  public AreaModel areaModel() {
    return commonCrs.areaModel();
  }

  @Override
  public GridGeometry2D gridGeometry() {
    throw new IllegalStateException("the grid geometry needs GeoTiffRaster.openWithGeoTools");
  }

  @Override
  Raster decodeRows(int firstRow, int rows) throws IOException {
    ImageReadParam region = tiff.getDefaultReadParam();
    region.setSourceRegion(new Rectangle(0, firstRow, width(), rows));
    try {
      return tiff.read(0, region).getRaster();
    } catch (IOException e) {
      throw new IOException(
          "cannot decode rows "
              + firstRow
              + " to "
              + (firstRow + rows - 1)
              + " of "
              + file
              + ": "
              + e.getMessage(),
          e);
    }
  }

  @Override
  public void close() {
    release(tiff, input);
  }

  private static void release(ImageReader tiff, ImageInputStream input) {
    if (tiff != null) {
      tiff.dispose();
    }
    if (input != null) {
      try {
        input.close();
      } catch (IOException ignored) {
        // read-only file: nothing to lose
      }
    }
  }
}
