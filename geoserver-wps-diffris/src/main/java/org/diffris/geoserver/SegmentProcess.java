package org.diffris.geoserver;

import org.geotools.api.util.ProgressListener;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.data.simple.SimpleFeatureCollection;
import org.geotools.process.factory.DescribeParameter;
import org.geotools.process.factory.DescribeProcess;
import org.geotools.process.factory.DescribeResult;
import org.locationtech.jts.geom.Geometry;

/**
 * {@code diffris:Segment}: the WPS face of {@link CoverageSegmenter}. The annotations are the
 * process's documentation in GeoServer's DescribeProcess; every parameter type is one GeoServer
 * has a PPIO for. Server settings are read per request ({@link ServerSettings#current()}); the
 * loaded model is shared ({@link SharedModels}).
 */
@DescribeProcess(
    title = "DiffRIS referring segmentation",
    description = "Finds the objects a short English phrase refers to (for example 'white storage "
        + "tanks' or 'the ship next to the pier') in a raster and returns their outlines as "
        + "polygons in the raster's CRS, one feature per object, with its mean model probability "
        + "and its area in square metres.")
public class SegmentProcess {

  @DescribeResult(name = "result",
      description = "One Polygon per object, in the raster's CRS (with its EPSG code), largest "
          + "first, with the attributes query, score (mean probability inside, 0 to 1), area "
          + "(square metres) and model (model name and version).")
  public SimpleFeatureCollection execute(
      @DescribeParameter(name = "coverage",
          description = "Raster to search, 8-bit RGB imagery works as is; 16-bit or float bands "
              + "are stretched from their 2nd to 98th percentile. Needs a CRS with an EPSG code.")
          GridCoverage2D coverage,
      @DescribeParameter(name = "query",
          description = "What to find, in English, e.g. 'white storage tanks', 'cars on the road'.")
          String query,
      @DescribeParameter(name = "threshold", min = 0, minValue = 0, maxValue = 1,
          description = "Probability (0 to 1, exclusive) from which a pixel belongs to the objects. "
              + "Default: the model's own threshold.")
          Double threshold,
      @DescribeParameter(name = "bands", min = 0,
          description = "Bands feeding the model's red, green and blue inputs, numbered from 1 and "
              + "separated by commas, e.g. '4,3,2' or '1,1,1' for grey imagery. Default: the first "
              + "three bands.")
          String bands,
      @DescribeParameter(name = "roi", min = 0,
          description = "Region of interest: only pixels whose centres are inside this polygon are "
              + "searched. Coordinates in the raster's CRS, x = easting or longitude. Default: the "
              + "whole raster.")
          Geometry roi,
      @DescribeParameter(name = "simplify", min = 0, minValue = 0, defaultValue = "0",
          description = "Simplification distance in the raster's CRS units (metres for UTM, "
              + "degrees for EPSG:4326); outlines stay valid and never overlap. Default 0: "
              + "pixel-exact outlines.")
          Double simplify,
      @DescribeParameter(name = "minArea", min = 0, minValue = 0, defaultValue = "0",
          description = "Smallest object kept, in square metres (geodesic for geographic CRSs). "
              + "Default 0: keep all.")
          Double minArea,
      @DescribeParameter(name = "maxFeatures", min = 0, minValue = 1,
          description = "Most objects returned, the largest by area. Default: all.")
          Integer maxFeatures,
      ProgressListener monitor) {
    SegmentRequest request =
        new SegmentRequest(query, threshold, bands, roi, simplify, minArea, maxFeatures);
    return new CoverageSegmenter(settings()).segment(coverage, request, monitor);
  }

  private static ServerSettings settings() {
    try {
      return ServerSettings.current();
    } catch (IllegalArgumentException e) {
      throw new org.geotools.process.ProcessException("server configuration: " + e.getMessage(), e);
    }
  }
}
