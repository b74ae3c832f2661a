package org.diffris.geotools;

import java.awt.color.ColorSpace;
import java.awt.geom.AffineTransform;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.RenderedImage;
import java.io.File;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalDouble;
import org.diffris.pipeline.BandRole;
import org.diffris.pipeline.InvalidInputException;
import org.diffris.pipeline.PaletteColours;
import org.diffris.pipeline.RasterInput;
import org.diffris.pipeline.SampleType;
import org.diffris.runtime.tiling.RasterSource;
import org.diffris.runtime.tiling.RenderedImageSource;
import org.diffris.vectorizer.PixelToWorld;
import org.geotools.api.coverage.ColorInterpretation;
import org.geotools.api.metadata.spatial.PixelOrientation;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.geotools.api.referencing.operation.MathTransform;
import org.geotools.coverage.GridSampleDimension;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.referencing.CRS;
import org.locationtech.jts.geom.Geometry;

/**
 * A GridCoverage2D as the cores see it: a {@link RasterSource} over its image, a
 * {@link PixelToWorld} and its CRS facts.
 *
 * <p>Guarantees: the image is read only where asked, one rectangle at a time
 * ({@code RenderedImage.getData(Rectangle)}), never copied whole; pixel (0, 0) is the image's
 * first pixel ({@code minX, minY}); the pixel-to-world transform is the coverage's full affine
 * grid-to-CRS transform at pixel corners (rotation and shear kept), with x = east / longitude
 * whatever axis order the CRS declares; nodata per band comes from the sample dimensions
 * ({@code getNoDataValues}), else from the coverage's {@code GC_NODATA} property; NaN is always
 * nodata. No JAI types are touched, so this runs on GeoTools lines with JAI or ImageN.
 */
public final class CoverageRaster {
  /** The coverage property GeoTools readers put a nodata value under. */
  public static final String NODATA_PROPERTY = "GC_NODATA";

  private final RenderedImage image;
  private final RasterCrs crs;
  private final PixelToWorld pixelToWorld;
  private final double[] nodata;
  private final List<BandRole> roles;
  private final StoredSamples stored;

  private CoverageRaster(
      RenderedImage image,
      RasterCrs crs,
      PixelToWorld pixelToWorld,
      double[] nodata,
      List<BandRole> roles,
      StoredSamples stored) {
    this.image = image;
    this.crs = crs;
    this.pixelToWorld = pixelToWorld;
    this.nodata = nodata;
    this.roles = roles;
    this.stored = stored;
  }

  /**
   * @throws InvalidInputException when the coverage has no CRS with an EPSG code, its
   *     grid-to-world transform is not affine, or the GeoTIFF it is read from is cut short
   */
  public static CoverageRaster of(GridCoverage2D coverage) {
    if (coverage == null) {
      throw new InvalidInputException("no coverage given");
    }
    RasterCrs crs = RasterCrs.of(coverage.getCoordinateReferenceSystem2D());
    RenderedImage image = coverage.getRenderedImage();
    // A published GeoTIFF cut short would be decoded with its missing blocks as zeros; one
    // compressed in a way the decoder does not read would fail in the middle of the run.
    List<Path> files = CoverageFiles.of(image).stream().map(File::toPath).toList();
    files.forEach(
        file -> {
          TiffBlocks.requireInFile(file);
          TiffCompression.requireDecodable(file);
        });
    // Samples Java images have no type for (Int8, UInt32, Float16) are decoded as another type.
    StoredSamples stored = StoredSamples.ofCoverage(files, image.getSampleModel().getDataType());
    PixelToWorld pixelToWorld =
        pixelToWorld(
            coverage.getGridGeometry().getGridToCRS2D(PixelOrientation.UPPER_LEFT),
            image,
            crs.crs());
    return new CoverageRaster(
        image, crs, pixelToWorld, nodataOf(coverage, image), rolesOf(coverage, image), stored);
  }

  /**
   * The colour interpretation of every band (red, green, blue, alpha), or empty when the coverage
   * names no colour: from its sample dimensions when they say, else from the image's colour model
   * (an RGB colour space: the first three bands; an alpha channel: the last band), which is how a
   * GeoTIFF's photometric interpretation and extra samples reach a GeoTools coverage. GDAL's own
   * colour interpretation (a blue-green-red order written as GDAL metadata) does not: give
   * {@code bands} for such rasters.
   */
  private static List<BandRole> rolesOf(GridCoverage2D coverage, RenderedImage image) {
    int bands = image.getSampleModel().getNumBands();
    List<BandRole> roles = new ArrayList<>(Collections.nCopies(bands, BandRole.OTHER));
    if (coverage.getNumSampleDimensions() == bands) {
      for (int b = 0; b < bands; b++) {
        ColorInterpretation c = coverage.getSampleDimension(b).getColorInterpretation();
        roles.set(
            b,
            c == ColorInterpretation.RED_BAND
                ? BandRole.RED
                : c == ColorInterpretation.GREEN_BAND
                    ? BandRole.GREEN
                    : c == ColorInterpretation.BLUE_BAND
                        ? BandRole.BLUE
                        : c == ColorInterpretation.ALPHA_BAND ? BandRole.ALPHA : BandRole.OTHER);
      }
    }
    ColorModel colours = image.getColorModel();
    if (roles.stream().allMatch(r -> r == BandRole.OTHER)
        && colours instanceof ComponentColorModel
        && colours.getNumComponents() == bands) {
      if (colours.getColorSpace().getType() == ColorSpace.TYPE_RGB && bands >= 3) {
        roles.set(0, BandRole.RED);
        roles.set(1, BandRole.GREEN);
        roles.set(2, BandRole.BLUE);
      }
      if (colours.hasAlpha()) {
        roles.set(bands - 1, BandRole.ALPHA);
      }
    }
    return roles.stream().allMatch(r -> r == BandRole.OTHER) ? List.of() : List.copyOf(roles);
  }

  /**
   * A GeoTools grid-to-CRS transform (at pixel corners) as the cores' {@link PixelToWorld}: pixel
   * (0, 0) is the image's first pixel ({@code minX, minY}), rotation and shear are kept, and x is
   * east / longitude whatever axis order {@code crs} declares (the order polygons are written
   * in). Every GeoTools raster of every host goes through here.
   *
   * @throws InvalidInputException when the transform is not affine
   */
  public static PixelToWorld pixelToWorld(
      MathTransform gridToCrs, RenderedImage image, CoordinateReferenceSystem crs) {
    if (!(gridToCrs instanceof AffineTransform affine)) {
      throw new InvalidInputException(
          "the raster's grid-to-world transform is not affine ("
              + gridToCrs.getClass().getSimpleName()
              + "); warp the raster to a regular grid first");
    }
    AffineTransform at = new AffineTransform(affine);
    // The grid coordinates are the image's: move the origin to its first pixel.
    at.translate(image.getMinX(), image.getMinY());
    double[] gt = {
      at.getTranslateX(),
      at.getScaleX(),
      at.getShearX(),
      at.getTranslateY(),
      at.getShearY(),
      at.getScaleY()
    };
    return AxisOrder.eastFirst(gt, CRS.getAxisOrder(crs) == CRS.AxisOrder.NORTH_EAST);
  }

  private static double[] nodataOf(GridCoverage2D coverage, RenderedImage image) {
    int bands = image.getSampleModel().getNumBands();
    double[] values = new double[bands];
    Double property = propertyNoData(coverage.getProperty(NODATA_PROPERTY));
    for (int b = 0; b < bands; b++) {
      values[b] = property == null ? Double.NaN : property;
      if (b < coverage.getNumSampleDimensions()) {
        GridSampleDimension dim = coverage.getSampleDimension(b);
        double[] fromDimension = dim.getNoDataValues();
        if (fromDimension != null && fromDimension.length > 0) {
          values[b] = fromDimension[0];
        }
      }
    }
    return values;
  }

  /**
   * The {@code GC_NODATA} property: a number, or GeoTools' NoDataContainer, read through its
   * {@code getAsSingleValue()} so that no JAI-ext (GeoTools 33) or ImageN (GeoTools 34+) type is
   * linked.
   */
  static Double propertyNoData(Object value) {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    if (value == null) {
      return null;
    }
    try {
      Method single = value.getClass().getMethod("getAsSingleValue");
      Object v = single.invoke(value);
      return v instanceof Number n ? n.doubleValue() : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // an unknown property type: no nodata from it
    }
  }

  public int width() {
    return image.getWidth();
  }

  public int height() {
    return image.getHeight();
  }

  public int bandCount() {
    return image.getSampleModel().getNumBands();
  }

  public RasterCrs crs() {
    return crs;
  }

  /** Pixel corners of the whole raster to world coordinates, x = east. */
  public PixelToWorld pixelToWorld() {
    return pixelToWorld;
  }

  /** The nodata value of a band (0-based), if it has one. */
  public OptionalDouble nodata(int band) {
    return Double.isNaN(nodata[band]) ? OptionalDouble.empty() : OptionalDouble.of(nodata[band]);
  }

  /** What the samples are: the stored type where the decoder gave a stand-in for it. */
  private SampleType sampleType() {
    SampleType type = stored.sampleType();
    return type != null ? type : RasterSamples.of(image.getSampleModel());
  }

  /** The whole raster. */
  public PixelWindow all() {
    return new PixelWindow(0, 0, width(), height());
  }

  /**
   * The pixels a job with {@code roi} (in the coverage CRS, x = east) reads, by the rule every
   * host shares ({@link org.diffris.pipeline.AreaOfInterest#window}); the whole raster when
   * {@code roi} is null.
   *
   * @throws InvalidInputException when the ROI is empty, not a valid polygon, or outside the
   *     raster
   */
  public PixelWindow window(Geometry roi) {
    if (roi == null) {
      return all();
    }
    org.diffris.vectorizer.PixelBounds b =
        org.diffris.pipeline.AreaOfInterest.of(roi, "roi")
            .window(pixelToWorld, width(), height(), crs.label());
    return new PixelWindow(
        b.minColumn(), b.minRow(), b.maxColumn() - b.minColumn(), b.maxRow() - b.minRow());
  }

  /** A window of the coverage as the pipeline takes it (pixel (0, 0) = the window's first). */
  public RasterInput input(PixelWindow window) {
    RenderedImageSource pixels = new RenderedImageSource(image, nodata, stored::values);
    // A palette image feeds its colours, never its indices (PaletteColours).
    TiffPalette palette =
        TiffPalette.of(image.getColorModel(), image.getSampleModel().getNumBands());
    RasterInput whole =
        palette != null
            ? new RasterInput(
                palette.colours(pixels),
                pixelToWorld,
                crs.areaModel(),
                SampleType.BYTE,
                PaletteColours.ROLES,
                crs.epsgCode())
            : new RasterInput(
                pixels, pixelToWorld, crs.areaModel(), sampleType(), roles, crs.epsgCode());
    return window.equals(all()) ? whole : whole.window(window.bounds());
  }
}
