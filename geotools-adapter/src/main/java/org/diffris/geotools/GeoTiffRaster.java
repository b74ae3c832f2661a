package org.diffris.geotools;

import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diffris.pipeline.AlphaMask;
import org.diffris.pipeline.BandRole;
import org.diffris.pipeline.InvalidInputException;
import org.diffris.pipeline.PaletteColours;
import org.diffris.pipeline.RasterInput;
import org.diffris.pipeline.SampleType;
import org.diffris.runtime.tiling.RasterSource;
import org.diffris.vectorizer.AreaModel;
import org.diffris.vectorizer.PixelToWorld;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.geotools.coverage.grid.GridGeometry2D;

/**
 * A GeoTIFF read a band of rows at a time, never decoded whole, with what every host needs of
 * it: size, bands, sample type, nodata, the pixel-to-world transform (x = east whatever axis order
 * the CRS declares, rotation and shear kept), the CRS and its area model.
 *
 * <p>Two ways in, same values: {@link #open} takes the fast path, {@link DirectGeoTiff}, for a
 * north-up GeoTIFF whose CRS is one EPSG code listed in {@link CommonCrs} (the TIFF decoder alone,
 * so GeoTools' referencing, seconds of start-up, loads only if {@link #crs()} is called); every
 * other file, and every file opened with {@link #openWithGeoTools}, goes through GeoTools'
 * {@code GeoTiffReader} ({@link GeoToolsGeoTiff}).
 */
public abstract class GeoTiffRaster implements AutoCloseable {
  protected final Path file;
  private final int width;
  private final int height;
  private final int tileHeight;
  private final SampleModel sampleModel;
  private final StoredSamples stored;
  private final PixelToWorld pixelToWorld;
  private final Double noData;

  GeoTiffRaster(
      Path file,
      int width,
      int height,
      int tileHeight,
      SampleModel sampleModel,
      PixelToWorld pixelToWorld,
      Double noData) {
    this.file = file;
    this.width = width;
    this.height = height;
    this.tileHeight = tileHeight;
    this.stored = StoredSamples.of(file);
    this.sampleModel = stored.sampleModel(sampleModel);
    this.pixelToWorld = pixelToWorld;
    this.noData = noData;
  }

  /**
   * Opens {@code file} on the fast path when it allows, else through GeoTools.
   *
   * @throws InvalidInputException when the file is missing, cut short, not a GeoTIFF or not
   *     georeferenced
   */
  public static GeoTiffRaster open(Path file) {
    requireFile(file);
    return packedOr(
        file,
        () -> {
          GeoTiffRaster direct = WorldFile.exists(file) ? null : DirectGeoTiff.openIfSimple(file);
          return direct != null ? direct : GeoToolsGeoTiff.read(file);
        });
  }

  /**
   * Opens {@code file} through GeoTools, which {@link #gridGeometry()} needs.
   *
   * @throws InvalidInputException when the file is missing, cut short, not a GeoTIFF or not
   *     georeferenced
   */
  public static GeoTiffRaster openWithGeoTools(Path file) {
    requireFile(file);
    return packedOr(file, () -> GeoToolsGeoTiff.read(file));
  }

  /**
   * The raster {@code open} gives, with its pixels from {@link PackedSamples} when they are
   * packed in 9 to 15 bits (which the usual decoder cannot read).
   */
  private static GeoTiffRaster packedOr(
      Path file, java.util.function.Supplier<GeoTiffRaster> open) {
    PackedSamples packed = PackedSamples.openIfPacked(file);
    if (packed == null) {
      return open.get();
    }
    try {
      return new PackedGeoTiff(open.get(), packed);
    } catch (InvalidInputException e) {
      // GeoTools' TIFF reader cannot even open some packed layouts (one band, for one).
      throw new InvalidInputException(
          "raster stores "
              + packed.bits()
              + "-bit samples packed (GDAL's NBITS="
              + packed.bits()
              + ") in a layout the GeoTIFF reader cannot open ("
              + e.getMessage()
              + "); write a 16-bit copy first (gdal_translate -co NBITS=16 IN.tif OUT.tif)",
          e);
    }
  }

  private static void requireFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException("raster not found: " + file);
    }
    TiffBlocks.requireInFile(file);
    TiffCompression.requireDecodable(file);
    TiffBands.roles(file); // refuses bit depths no decoder here reads
    StoredSamples.of(file); // refuses sample types no decoder here reads
  }

  /**
   * What the file says each band holds (TIFF photometric interpretation, extra samples, GDAL's
   * colour interpretation), one per band, or empty when it says nothing.
   */
  public List<BandRole> bandRoles() {
    List<BandRole> roles = TiffBands.roles(file);
    return roles.size() == bandCount() ? roles : List.of();
  }

  public Path file() {
    return file;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  public int bandCount() {
    return sampleModel.getNumBands();
  }

  /** The sample type of every band, a {@code java.awt.image.DataBuffer.TYPE_*} constant. */
  public int dataType() {
    return sampleModel.getDataType();
  }

  public boolean isFloatingPoint() {
    return dataType() == DataBuffer.TYPE_FLOAT || dataType() == DataBuffer.TYPE_DOUBLE;
  }

  /** The GeoTIFF nodata value (one for every band), or null when the file has none. */
  public Double noData() {
    return noData;
  }

  public PixelToWorld pixelToWorld() {
    return pixelToWorld;
  }

  /** Rows per read that keep whole tiles or strips together and a band near 4 M pixels. */
  public int rowsPerRead() {
    int rowsPerTile = Math.max(1, tileHeight);
    long targetRows = Math.max(1, (4L << 20) / Math.max(1, width));
    long tiles = Math.max(1, targetRows / rowsPerTile);
    return (int) Math.min(height, tiles * rowsPerTile);
  }

  /**
   * The raster's CRS as GeoTools decodes it; on the fast path the first call loads GeoTools'
   * referencing (seconds on a cold JVM), which {@link #spatialReference()} and
   * {@link #areaModel()} do not need.
   */
  public abstract CoordinateReferenceSystem crs();

  /** The CRS's EPSG code, name and WKT, as outputs write them. */
  public abstract SpatialReference spatialReference();

  /** How areas in square metres are measured in this raster's CRS. */
  public abstract AreaModel areaModel();

  /**
   * The raster's grid and CRS as GeoTools has them, for writing rasters on the same grid.
   *
   * @throws IllegalStateException on the fast path: open with {@link #openWithGeoTools}
   */
  public abstract GridGeometry2D gridGeometry();

  /**
   * Rows {@code [firstRow, firstRow + rows)}, full width, every band, as the values the file
   * stores, whatever their type ({@link StoredSamples}: signed bytes, unsigned 32-bit integers and
   * 16-bit floats included); the raster's own coordinates may start anywhere: use its minX and
   * minY.
   *
   * @throws IOException when the file cannot be decoded there
   */
  public final Raster readRows(int firstRow, int rows) throws IOException {
    return stored.values(decodeRows(firstRow, rows));
  }

  /** Rows {@code [firstRow, firstRow + rows)} as the TIFF decoder gives them. */
  abstract Raster decodeRows(int firstRow, int rows) throws IOException;

  /** How the samples are stored, for the value scaling. */
  SampleType sampleType() {
    SampleType type = stored.sampleType();
    return type != null ? type : RasterSamples.of(sampleModel);
  }

  /**
   * The whole raster as the pipeline takes it; a palette raster as the red, green and blue of its
   * colours ({@link PaletteColours}), never its indices.
   */
  public RasterInput input() {
    SpatialReference srs = spatialReference();
    RasterSource pixels = new GeoTiffRasterSource(this);
    PackedSamples mask = PackedSamples.openMask(file);
    if (mask != null) {
      pixels = new AlphaMask(pixels, new PackedMaskSource(mask), 0);
    }
    int srid = srs.epsgCode() == null ? 0 : srs.epsgCode();
    TiffPalette palette = bandCount() == 1 ? TiffPalette.of(file) : null;
    if (palette != null) {
      return new RasterInput(
          palette.colours(pixels),
          pixelToWorld,
          areaModel(),
          SampleType.BYTE,
          PaletteColours.ROLES,
          srid);
    }
    return new RasterInput(pixels, pixelToWorld, areaModel(), sampleType(), bandRoles(), srid);
  }

  @Override
  public abstract void close();
}
