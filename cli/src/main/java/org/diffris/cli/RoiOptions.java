package org.diffris.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diffris.geotools.GeoTiffRaster;
import org.diffris.output.OutputPlaces;
import org.diffris.output.RoiArgument;
import org.diffris.pipeline.AreaOfInterest;
import org.diffris.pipeline.InvalidInputException;
import org.diffris.pipeline.RasterInput;
import org.diffris.pipeline.SegmentOptions;
import org.diffris.vectorizer.PixelBounds;
import picocli.CommandLine.Option;

/**
 * {@code --roi}, {@code --roi-crs} and {@code --roi-layer}: an area of interest with the WPS
 * {@code roi}'s meaning ({@link AreaOfInterest}), read by {@link RoiArgument}.
 */
final class RoiOptions {
  @Option(
      names = "--roi",
      paramLabel = "WKT|FILE",
      description =
          "Area of interest: only pixels whose centres are inside are searched, and only the"
              + " raster's rectangle round it is read. WKT with its CRS ('POLYGON ((...))' with"
              + " --roi-crs, or 'SRID=32633;POLYGON ((...))'), or a GeoJSON (longitude/latitude"
              + " unless its crs member says otherwise) or GeoPackage file in any CRS; several"
              + " features: their union. x = east. Objects within the edge margin of its"
              + " boundary are marked at_edge.")
  String roi;

  @Option(
      names = "--roi-crs",
      paramLabel = "EPSG:N",
      description = "CRS of a WKT --roi, x = east (EPSG:4326: longitude, latitude).")
  String roiCrs;

  @Option(
      names = "--roi-layer",
      paramLabel = "NAME",
      description = "The layer of a GeoPackage --roi that has several feature layers.")
  String roiLayer;

  /**
   * What {@code --roi} names, read and its CRS checked, or null without one; before any work.
   *
   * @param outputs the run's outputs by option: none may be the roi's file
   * @throws InputException when the roi cannot be read or would be written
   */
  RoiArgument read(Map<String, Path> outputs) throws InputException {
    if (roi == null) {
      if (roiCrs != null || roiLayer != null) {
        throw new InputException((roiCrs != null ? "--roi-crs" : "--roi-layer") + " needs --roi");
      }
      return null;
    }
    if (Files.isRegularFile(Path.of(roiPath()))) {
      List<OutputPlaces.Place> places = new ArrayList<>();
      outputs.forEach(
          (option, path) -> {
            if (path != null) {
              places.add(OutputPlaces.local(option, path));
            }
          });
      try {
        OutputPlaces.check(List.of(OutputPlaces.local("--roi", Path.of(roiPath()))), places);
      } catch (OutputPlaces.RefusedException e) {
        throw new InputException(e.getMessage(), e);
      }
    }
    try {
      return RoiArgument.read(roi, roiCrs, roiLayer);
    } catch (InvalidInputException e) {
      throw new InputException(e.getMessage(), e);
    }
  }

  /** The roi as a path, or a name no file has when it is WKT. */
  private String roiPath() {
    try {
      Path.of(roi);
      return roi;
    } catch (java.nio.file.InvalidPathException e) {
      return "";
    }
  }

  /**
   * The raster a job with this area runs on: the rectangle round it, with its mask set on
   * {@code options}; the whole raster without one.
   *
   * @throws InvalidInputException when the area is not valid or misses the raster
   */
  static AreaOfInterest.Crop apply(
      RoiArgument roi, GeoTiffRaster image, RasterInput whole, SegmentOptions.Builder options) {
    if (roi == null) {
      return new AreaOfInterest.Crop(
          whole, new PixelBounds(0, 0, whole.width(), whole.height()), null);
    }
    return roi.in(image).apply(whole, image.spatialReference().label(), options);
  }
}
