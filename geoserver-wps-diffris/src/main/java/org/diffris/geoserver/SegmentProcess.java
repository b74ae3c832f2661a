package org.diffris.geoserver;

import java.io.IOException;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.diffris.geotools.CoverageRaster;
import org.diffris.geotools.PixelWindow;
import org.diffris.pipeline.AreaOfInterest;
import org.diffris.pipeline.EstimateLimitException;
import org.diffris.pipeline.InvalidInputException;
import org.diffris.pipeline.PixelLimitException;
import org.diffris.pipeline.RasterInput;
import org.diffris.pipeline.SegmentOptions;
import org.diffris.pipeline.SegmentationPlan;
import org.diffris.pipeline.SegmentationSummary;
import org.diffris.runtime.tiling.InferenceCancelledException;
import org.geotools.api.util.ProgressListener;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.data.simple.SimpleFeatureCollection;
import org.geotools.data.util.NullProgressListener;
import org.geotools.process.ProcessException;
import org.geotools.process.factory.DescribeParameter;
import org.geotools.process.factory.DescribeProcess;
import org.geotools.process.factory.DescribeResult;
import org.locationtech.jts.geom.Geometry;

/**
 * {@code diffris:Segment}: a coverage and a query to the polygons of what the query names. The
 * annotations are the process's documentation in GeoServer's DescribeProcess; every parameter
 * type is one GeoServer has a PPIO for. The work is the shared pipeline's; this class maps WPS
 * inputs to its options and its regions to features.
 *
 * <p>Guarantees: every bad input is a {@link ProcessException} with a one-line message before
 * inference starts; at most {@link ServerSettings#maxPixels()} pixels are read per request (the
 * ROI's window, or the model's grid when that is larger after resampling); at most
 * {@link ServerSettings#maxConcurrent()} runs use one model at a time, the others wait in order;
 * the listener hears {@code started()}, {@code progress(percent)} after every batch of tiles and
 * {@code complete()}, and {@code isCanceled()} is asked before every tile (a cancelled run is a
 * {@code ProcessException} saying how far it got); any {@code RuntimeException} the listener
 * throws (GeoServer's dismissal) goes through untouched. Server settings are read per request;
 * the model is shared ({@link LoadedModels}); with {@link ServerSettings#maxEstimatedSeconds()}
 * set, a request whose estimated time is above it is refused before any pixel is read ({@link
 * RequestEstimate}). Nothing is written to disk but that estimate's tile-cost cache.
 */
@DescribeProcess(
    title = "DiffRIS referring segmentation",
    description =
        "Finds the objects a short English phrase refers to (for example 'white storage "
            + "tanks' or 'the ship next to the pier') in a raster and returns their outlines as "
            + "polygons in the raster's CRS, one feature per object, with its mean model probability "
            + "and its area in square metres.")
public class SegmentProcess {
  private static final Logger LOG = Logger.getLogger(SegmentProcess.class.getName());

  @DescribeResult(
      name = "result",
      description =
          "One Polygon per object, in the raster's CRS (with its EPSG code), largest "
              + "first, with the attributes query, score (mean probability inside, 0 to 1), area "
              + "(square metres), pixels (raster pixels inside), model (model name and version) and"
              + " at_edge (true within one tile of the coverage's edge or the roi's boundary, where"
              + " a larger extent may answer differently), source (the coverage's name) and run_id"
              + " (one id a request, also in the server log's run manifest).")
  public SimpleFeatureCollection execute(
      @DescribeParameter(
              name = "coverage",
              description =
                  "Raster to search, 8-bit RGB imagery works as is; 16-bit or float bands "
                      + "are stretched from their 2nd to 98th percentile. Needs a CRS with an EPSG code.")
          GridCoverage2D coverage,
      @DescribeParameter(
              name = "query",
              description =
                  "What to find, in English, e.g. 'white storage tanks', 'cars on the road'.")
          String query,
      @DescribeParameter(
              name = "threshold",
              min = 0,
              minValue = 0,
              maxValue = 1,
              description =
                  "Probability (0 to 1, exclusive) from which a pixel belongs to the objects. "
                      + "Default: the model's own threshold.")
          Double threshold,
      @DescribeParameter(
              name = "bands",
              min = 0,
              description =
                  "Bands feeding the model's red, green and blue inputs, numbered from 1 and "
                      + "separated by commas, e.g. '4,3,2' or '1,1,1' for grey imagery. Default: the "
                      + "bands the coverage says are red, green and blue, else the first three "
                      + "bands that are not alpha.")
          String bands,
      @DescribeParameter(
              name = "scale",
              min = 0,
              defaultValue = "auto",
              description =
                  "How raw values reach the model, which was trained on 8-bit colours: 'auto' "
                      + "(8-bit as trained, other integers by their bit depth, float 0-1 as is, "
                      + "other float by the joint 2-98 % percentiles of all bands), 'bundle', "
                      + "'bits:N', 'range:LOW,HIGH' or 'percentile:P1,P2[,joint|per-band]'.")
          String scale,
      @DescribeParameter(
              name = "roi",
              min = 0,
              description =
                  "Region of interest: only pixels whose centres are inside this polygon are "
                      + "searched. Coordinates in the raster's CRS, x = easting or longitude. Default: the "
                      + "whole raster.")
          Geometry roi,
      @DescribeParameter(
              name = "simplify",
              min = 0,
              minValue = 0,
              defaultValue = "0",
              description =
                  "Simplification distance in the raster's CRS units (metres for UTM, "
                      + "degrees for EPSG:4326); outlines stay valid and never overlap. Default 0: "
                      + "pixel-exact outlines.")
          Double simplify,
      @DescribeParameter(
              name = "minArea",
              min = 0,
              minValue = 0,
              defaultValue = "0",
              description =
                  "Smallest object kept, in square metres (geodesic for geographic CRSs). "
                      + "Default 0: keep all.")
          Double minArea,
      @DescribeParameter(
              name = "maxFeatures",
              min = 0,
              minValue = 1,
              description = "Most objects returned, the largest by area. Default: all.")
          Integer maxFeatures,
      ProgressListener monitor) {
    ServerSettings settings = settings();
    try {
      SegmentOptions.Builder options =
          SegmentOptions.builder(query)
              .threshold(threshold)
              .bands(bands)
              .scale(scale)
              .simplify(simplify)
              .minArea(minArea)
              .maxFeatures(maxFeatures)
              .maxPixels(settings.maxPixels())
              .largestFirst(true);
      return segment(coverage, roi, options, settings, monitor);
    } catch (InvalidInputException | InferenceCancelledException | IOException e) {
      throw failure(e);
    }
  }

  /** A request that cannot be answered, as one line that says why. */
  private static ProcessException failure(Exception e) {
    if (e instanceof EstimateLimitException limit) {
      return new ProcessException(
          limit.getMessage().replace("above the limit of", "above this server's limit of")
              + " (diffris.maxEstimatedSeconds / DIFFRIS_MAX_ESTIMATED_SECONDS); give a smaller"
              + " roi or a coarser coverage",
          e);
    }
    if (e instanceof PixelLimitException limit) {
      return new ProcessException(
          "the request covers "
              + limit.pixels()
              + " pixels ("
              + limit.what()
              + "), above this server's limit of "
              + limit.limit()
              + " (diffris.maxPixels / DIFFRIS_MAX_PIXELS); give a smaller roi or a coarser "
              + "coverage",
          e);
    }
    if (e instanceof InferenceCancelledException) {
      return new ProcessException("diffris:Segment " + e.getMessage(), e);
    }
    if (e instanceof IOException) {
      return new ProcessException("reading the coverage failed: " + e.getMessage(), e);
    }
    return new ProcessException(e.getMessage(), e);
  }

  private static SimpleFeatureCollection segment(
      GridCoverage2D coverage,
      Geometry roi,
      SegmentOptions.Builder options,
      ServerSettings settings,
      ProgressListener monitor)
      throws IOException {
    long start = System.nanoTime();
    RunRecord run = new RunRecord(coverage);
    ProgressListener progress = monitor == null ? new NullProgressListener() : monitor;
    CoverageRaster raster = CoverageRaster.of(coverage);
    PixelWindow window = raster.window(roi);
    // Checked before the model loads: an oversized request costs nothing.
    PixelLimitException.check(window.pixelCount(), window.toString(), settings.maxPixels());
    RasterInput input = raster.input(window);
    if (roi != null) {
      // The area as every host takes it (a collection of polygons: their union).
      options.roi(AreaOfInterest.of(roi, "roi").mask(input.pixelToWorld()));
    }
    try (LoadedModels.Lease model = lease(settings)) {
      SegmentOptions job = options.build();
      RequestEstimate estimate = new RequestEstimate(model.segmenter(), settings);
      SegmentationPlan plan = model.segmenter().plan(input, job, estimate::check);
      plan.warnings().forEach(w -> LOG.warning("diffris:Segment '" + job.query() + "': " + w));
      RegionFeatures features =
          new RegionFeatures(raster.crs().featureCrs(), plan.outputSchema(run.provenance()));
      try (InferenceGate.Permit permit = model.gate().enter(progress::isCanceled)) {
        if (permit == null) {
          throw new ProcessException(
              "diffris:Segment cancelled while waiting for a free model slot");
        }
        progress.started();
        SegmentationSummary summary =
            plan.run(
                features,
                null,
                (done, total) -> progress.progress(100f * done / total),
                progress::isCanceled);
        log(job.query(), window, raster, summary, plan);
        estimate.record(summary);
        run.log(model.segmenter(), plan, summary, (System.nanoTime() - start) / 1e6);
        progress.complete();
        return features.collection();
      }
    }
  }

  private static ServerSettings settings() {
    try {
      return ServerSettings.current();
    } catch (IllegalArgumentException e) {
      throw new ProcessException("server configuration: " + e.getMessage(), e);
    }
  }

  private static LoadedModels.Lease lease(ServerSettings settings) {
    try {
      return LoadedModels.lease(settings);
    } catch (IOException | RuntimeException e) {
      throw new ProcessException("the DiffRIS model cannot be loaded: " + e.getMessage(), e);
    }
  }

  private static void log(
      String query,
      PixelWindow window,
      CoverageRaster raster,
      SegmentationSummary summary,
      SegmentationPlan plan) {
    LOG.log(
        Level.INFO,
        () ->
            String.format(
                Locale.ROOT,
                "diffris:Segment '%s' on %s (%s): %d tiles (%d skipped), %d regions (%d at_edge),"
                    + " model_ms %.0f, "
                    + "total_ms %.0f, resampled x%.3f, bands %s, scale %s (%s), execution provider"
                    + " %s",
                query,
                window,
                raster.crs().label(),
                summary.inference().tiles(),
                summary.inference().tilesSkipped(),
                summary.regions(),
                summary.regionsAtEdge(),
                summary.inference().modelMillis(),
                summary.inference().totalMillis(),
                summary.inference().resampleFactor(),
                java.util.Arrays.toString(
                    java.util.Arrays.stream(plan.bands()).map(b -> b + 1).toArray()),
                plan.scaling().rule(),
                plan.scaling().reason(),
                summary.inference().provider()));
  }
}
