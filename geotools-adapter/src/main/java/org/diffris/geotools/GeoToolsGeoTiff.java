package org.diffris.geotools;

import static org.diffris.geotools.TiffTags.MODEL_PIXEL_SCALE;
import static org.diffris.geotools.TiffTags.MODEL_TRANSFORMATION;

import java.awt.Rectangle;
import java.awt.image.Raster;
import java.awt.image.RenderedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffris.pipeline.InvalidInputException;
import org.diffris.vectorizer.AreaModel;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.geotools.api.referencing.datum.PixelInCell;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.coverage.grid.GridGeometry2D;
import org.geotools.coverage.grid.io.imageio.geotiff.GeoTiffIIOMetadataDecoder;
import org.geotools.gce.geotiff.GeoTiffFormat;
import org.geotools.gce.geotiff.GeoTiffReader;

/** {@link GeoTiffRaster} through GeoTools' {@code GeoTiffReader}: any GeoTIFF GeoTools reads. */
final class GeoToolsGeoTiff extends GeoTiffRaster {
  private final GeoTiffReader reader;
  private final GridCoverage2D coverage;
  private final RenderedImage image;
  private SpatialReference srs; // an EPSG scan can take long: once

  private GeoToolsGeoTiff(Path file, GeoTiffReader reader, GridCoverage2D coverage, Double noData) {
    super(
        file,
        coverage.getRenderedImage().getWidth(),
        coverage.getRenderedImage().getHeight(),
        coverage.getRenderedImage().getTileHeight(),
        coverage.getRenderedImage().getSampleModel(),
        CoverageRaster.pixelToWorld(
            reader.getOriginalGridToWorld(PixelInCell.CELL_CORNER),
            coverage.getRenderedImage(),
            reader.getCoordinateReferenceSystem()),
        noData);
    this.reader = reader;
    this.coverage = coverage;
    this.image = coverage.getRenderedImage();
  }

  static GeoToolsGeoTiff read(Path file) {
    if (!new GeoTiffFormat().accepts(file.toFile())) {
      throw new InvalidInputException(
          isTiff(file)
              ? "raster has no georeferencing (a TIFF without GeoTIFF tags): " + file
              : "not a readable GeoTIFF: " + file);
    }
    requireSizedPixels(file);
    GeoTiffReader reader = null;
    try {
      reader = new GeoTiffReader(file.toFile());
      GeoTiffIIOMetadataDecoder metadata = reader.getMetadata();
      requireGeoreferencing(metadata, file);
      GridCoverage2D coverage = reader.read(null);
      Double noData = metadata != null && metadata.hasNoData() ? metadata.getNoData() : null;
      return new GeoToolsGeoTiff(file, reader, coverage, noData);
    } catch (InvalidInputException e) {
      dispose(reader);
      throw e;
    } catch (IOException | RuntimeException e) {
      dispose(reader);
      throw new InvalidInputException(
          "not a readable GeoTIFF: " + file + " (" + firstLine(e) + ")", e);
    }
  }

  private static void requireGeoreferencing(GeoTiffIIOMetadataDecoder metadata, Path file) {
    boolean inFile =
        metadata != null
            && ((metadata.hasTiePoints() && metadata.hasPixelScales())
                || metadata.hasModelTrasformation());
    if (!inFile && !WorldFile.exists(file) && metadata != null && metadata.hasTiePoints()) {
      int points = metadata.getModelTiePoints().length;
      if (points > 1) {
        throw new InvalidInputException(
            "raster is georeferenced by "
                + points
                + " ground control points (GCPs), which are not supported: warp it to a regular"
                + " grid first (gdalwarp -r bilinear IN.tif OUT.tif): "
                + file);
      }
    }
    if (!inFile && !WorldFile.exists(file)) {
      throw new InvalidInputException(
          "raster has no georeferencing (no GeoTIFF tie points or "
              + "model transformation, no world file): "
              + file);
    }
    if (metadata != null && !metadata.hasGeoKey()) {
      throw new InvalidInputException(
          "raster has no coordinate reference system (no GeoTIFF geokeys): " + file);
    }
  }

  /**
   * Refuses a grid whose pixels have no size (a ModelPixelScale or ModelTransformation of zero),
   * before GeoTools' reader fails on it with a message about a missing transformation.
   */
  private static void requireSizedPixels(Path file) {
    try (TiffDirectory d = TiffDirectory.open(file)) {
      if (d == null) {
        return;
      }
      double[] scale = d.doubles(MODEL_PIXEL_SCALE, "its pixel scale");
      double[] m = d.doubles(MODEL_TRANSFORMATION, "its model transformation");
      boolean noSize =
          scale.length >= 2 && (scale[0] == 0 || scale[1] == 0)
              || m.length == 16 && m[0] * m[5] - m[1] * m[4] == 0;
      if (noSize) {
        throw new InvalidInputException(
            "raster's georeferencing gives its pixels no size (a pixel scale or transformation"
                + " of zero): set it again, for example with gdal_translate -a_ullr ULX ULY LRX"
                + " LRY IN.tif OUT.tif: "
                + file);
      }
    } catch (IOException e) {
      // unreadable tables: GeoTools' reader reports it
    }
  }

  @Override
  public CoordinateReferenceSystem crs() {
    return reader.getCoordinateReferenceSystem();
  }

  @Override
  public synchronized SpatialReference spatialReference() {
    if (srs == null) {
      srs = SpatialReference.of(crs());
    }
    return srs;
  }

  @Override
  public AreaModel areaModel() {
    return RasterCrs.areaModel(crs()); // the plugin's choice too: both hosts report the same areas
  }

  @Override
  public GridGeometry2D gridGeometry() {
    return coverage.getGridGeometry();
  }

  @Override
  Raster decodeRows(int firstRow, int rows) {
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
          && ((head[0] == 'I' && head[1] == 'I' && (head[2] == 42 || head[2] == 43) && head[3] == 0)
              || (head[0] == 'M'
                  && head[1] == 'M'
                  && head[2] == 0
                  && (head[3] == 42 || head[3] == 43)));
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
