package org.diffris.geoserver;

import java.io.IOException;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.diffris.geoserver.coverage.BandSelection;
import org.diffris.geoserver.coverage.CoverageInputException;
import org.diffris.geoserver.coverage.CoverageRaster;
import org.diffris.geoserver.coverage.PixelWindow;
import org.diffris.geoserver.coverage.RoiMask;
import org.diffris.runtime.DiffrisModel;
import org.diffris.runtime.ModelDescription;
import org.diffris.runtime.tiling.GsdResampling;
import org.diffris.runtime.tiling.InferenceCancelledException;
import org.diffris.runtime.tiling.InferenceSummary;
import org.diffris.runtime.tiling.PixelScaling;
import org.diffris.runtime.tiling.RasterSource;
import org.diffris.runtime.tiling.RasterStatistics;
import org.diffris.runtime.tiling.TiledSegmenter;
import org.diffris.vectorizer.MaskBand;
import org.diffris.vectorizer.MaskVectorizer;
import org.diffris.vectorizer.PixelToWorld;
import org.diffris.vectorizer.VectorizedRegion;
import org.diffris.vectorizer.VectorizerOptions;
import org.geotools.api.util.ProgressListener;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.data.simple.SimpleFeatureCollection;
import org.geotools.process.ProcessException;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.PrecisionModel;

/**
 * The work behind {@code diffris:Segment}: checks the request, then streams the coverage through
 * the shared model tile by tile into the vectorizer and returns the regions as features.
 *
 * <p>Guarantees: every bad input is a {@link ProcessException} with a one-line message before any
 * inference starts; at most {@link ServerSettings#maxPixels()} pixels are read per request (the
 * ROI's window, or the model's grid when that is larger after resampling); at most
 * {@link ServerSettings#maxConcurrent()} runs use one model at a time, the others wait in order;
 * the listener hears {@code started()}, {@code progress(percent)} after every batch of tiles and
 * {@code complete()}, and {@code isCanceled()} is asked before every tile (a cancelled run is a
 * {@code ProcessException} saying how far it got); any {@code RuntimeException} the listener
 * throws (GeoServer's dismissal) goes through untouched. Nothing is written to disk; the
 * concurrency permit is given back on every path. Thread-safe.
 */
public final class CoverageSegmenter {
  private static final Logger LOG = Logger.getLogger(CoverageSegmenter.class.getName());
  private static final double STRETCH_LOW_PERCENT = 2;
  private static final double STRETCH_HIGH_PERCENT = 98;

  private final ServerSettings settings;

  public CoverageSegmenter(ServerSettings settings) {
    this.settings = settings;
  }

  public SimpleFeatureCollection segment(GridCoverage2D coverage, SegmentRequest request,
      ProgressListener listener) {
    if (request.query() == null || request.query().isBlank()) {
      throw new ProcessException("query is empty: describe the objects to find, e.g. "
          + "'white storage tanks'");
    }
    CoverageRaster raster;
    PixelWindow window;
    try {
      raster = CoverageRaster.of(coverage);
      window = raster.window(request.roi());
    } catch (CoverageInputException e) {
      throw new ProcessException(e.getMessage(), e);
    }
    checkPixels(window.pixelCount(), window.toString());

    SharedModels.Loaded loaded = load();
    DiffrisModel model = loaded.model();
    ModelDescription description = model.description();
    Plan plan;
    try {
      plan = plan(raster, window, request, description);
    } catch (IllegalArgumentException e) { // CoverageInputException and the cores' argument checks
      throw new ProcessException(e.getMessage(), e);
    } catch (IOException e) {
      throw new ProcessException("reading the coverage failed: " + e.getMessage(), e);
    }

    ProgressListener progress = listener == null ? new org.geotools.data.util.NullProgressListener() : listener;
    try (InferenceGate.Permit permit = loaded.gate().enter(progress::isCanceled)) {
      if (permit == null) {
        throw new ProcessException("diffris:Segment cancelled while waiting for a free model slot");
      }
      progress.started();
      List<VectorizedRegion> regions = run(raster, window, request, model, plan, progress);
      SimpleFeatureCollection features = RegionFeatures.collect(
          RegionFeatures.type(raster.crs().featureCrs()), regions, request.query(),
          description.name() + " " + description.version());
      progress.complete();
      return features;
    }
  }

  /** Everything decided before the model runs. */
  private record Plan(int[] bands, PixelScaling scaling, double rasterGsd, VectorizerOptions options,
      PixelToWorld windowToWorld, RoiMask roiMask) {}

  private Plan plan(CoverageRaster raster, PixelWindow window, SegmentRequest request,
      ModelDescription description) throws IOException {
    int[] bands = BandSelection.parse(request.bands(), raster.bandCount(),
        description.image().channels());
    double gsd = raster.groundSampleDistanceMetres(window);
    double factor = GsdResampling.between(gsd, description.image().gsdMetres()).factor();
    double modelPixels = window.pixelCount() * factor * factor;
    if (modelPixels > settings.maxPixels()) {
      checkPixels((long) modelPixels, "the model's grid at " + description.image().gsdMetres()
          + " m per pixel for " + window);
    }
    double threshold = request.threshold() == null ? description.threshold() : request.threshold();
    if (!(threshold > 0 && threshold < 1)) {
      throw new CoverageInputException("threshold must be between 0 and 1 (exclusive), got "
          + threshold);
    }
    VectorizerOptions.Builder options = VectorizerOptions.builder()
        .threshold(threshold)
        .areaModel(raster.crs().areaModel());
    if (request.simplify() != null) {
      options.simplifyTolerance(request.simplify());
    }
    if (request.minArea() != null) {
      options.minAreaSquareMetres(request.minArea());
    }
    if (request.maxFeatures() != null) {
      options.maxFeatures(request.maxFeatures());
    }
    PixelToWorld windowToWorld = raster.pixelToWorld(window);
    RoiMask mask = request.roi() == null ? null : new RoiMask(request.roi(), windowToWorld);
    PixelScaling scaling = PixelScaling.fromBundle(description);
    if (!raster.isEightBit()) {
      // 16-bit and float imagery: stretch from the statistics of the whole window, never per tile.
      double[][] limits = RasterStatistics.percentiles(raster.source(window), bands,
          STRETCH_LOW_PERCENT, STRETCH_HIGH_PERCENT);
      scaling = PixelScaling.stretch(limits[0], limits[1], description);
    }
    return new Plan(bands, scaling, gsd, options.build(), windowToWorld, mask);
  }

  private List<VectorizedRegion> run(CoverageRaster raster, PixelWindow window,
      SegmentRequest request, DiffrisModel model, Plan plan, ProgressListener progress) {
    TiledSegmenter tiler = TiledSegmenter.forModel(model.description())
        .bands(plan.bands())
        .scaling(plan.scaling())
        .rasterGsd(plan.rasterGsd())
        .progress((done, total) -> progress.progress(100f * done / total))
        .cancelWhen(progress::isCanceled)
        .build();
    MaskVectorizer vectorizer = new MaskVectorizer(window.width(), window.height(),
        plan.windowToWorld(), plan.options(),
        new GeometryFactory(new PrecisionModel(), raster.crs().epsgCode()));
    RasterSource source = raster.source(window);
    InferenceSummary summary;
    try {
      summary = tiler.run(source, model.forQuery(request.query().trim()), (row, h, p, valid) -> {
        if (plan.roiMask() != null) {
          plan.roiMask().apply(row, window.width(), h, p, valid);
        }
        vectorizer.accept(MaskBand.probabilities(row, window.width(), h, p, valid));
      });
    } catch (InferenceCancelledException e) {
      throw new ProcessException("diffris:Segment " + e.getMessage(), e);
    } catch (IOException e) {
      throw new ProcessException("reading the coverage failed: " + e.getMessage(), e);
    }
    List<VectorizedRegion> regions = vectorizer.finish();
    LOG.log(Level.INFO, () -> String.format(java.util.Locale.ROOT,
        "diffris:Segment '%s' on %s (%s): %d tiles (%d skipped), %d regions, model_ms %.0f, "
            + "total_ms %.0f, resampled x%.3f, execution provider %s",
        request.query(), window, raster.crs().label(), summary.tiles(), summary.tilesSkipped(),
        regions.size(), summary.modelMillis(), summary.totalMillis(), summary.resampleFactor(),
        summary.provider()));
    return regions;
  }

  private SharedModels.Loaded load() {
    try {
      return SharedModels.get(settings);
    } catch (IOException | RuntimeException e) {
      throw new ProcessException("the DiffRIS model cannot be loaded: " + e.getMessage(), e);
    }
  }

  private void checkPixels(long pixels, String what) {
    if (pixels > settings.maxPixels()) {
      throw new ProcessException("the request covers " + pixels + " pixels (" + what
          + "), above this server's limit of " + settings.maxPixels() + " (diffris.maxPixels / "
          + "DIFFRIS_MAX_PIXELS); give a smaller roi or a coarser coverage");
    }
  }
}
