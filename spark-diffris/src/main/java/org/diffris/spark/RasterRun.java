package org.diffris.spark;

import java.util.HashMap;
import java.util.Map;
import org.diffris.geotools.GeoTiffRaster;
import org.diffris.geotools.LonLatProjection;
import org.diffris.pipeline.AreaOfInterest;
import org.diffris.pipeline.RasterInput;
import org.diffris.pipeline.RoiMask;
import org.diffris.pipeline.ScaleRule;
import org.diffris.pipeline.SegmentOptions;
import org.diffris.pipeline.SegmentationPlan;
import org.diffris.pipeline.Segmenter;

/**
 * One raster opened in a task, with its plans per query (planned once per task) and its
 * longitude/latitude projection. Not thread-safe; closed by the task.
 */
final class RasterRun implements AutoCloseable {
  private final String source;
  private final GeoTiffRaster raster;
  private final RasterInput input;
  private final RoiMask roi;
  private final Map<String, SegmentationPlan> plans = new HashMap<>();
  private LonLatProjection lonLat;

  /**
   * @throws AreaOfInterest.OutsideRasterException when the job's roi does not overlap the raster
   */
  RasterRun(String source, JobOptions job) {
    this.source = source;
    this.raster = GeoTiffRaster.open(RasterFiles.local(source));
    if (job.roi() == null) {
      this.input = raster.input();
      this.roi = null;
    } else {
      // The raster's rectangle round the area, as diffris segment --roi runs it.
      AreaOfInterest.Crop crop;
      try {
        crop = job.roi().in(raster).crop(raster.input(), crsLabel());
      } catch (RuntimeException e) {
        raster.close();
        throw e;
      }
      this.input = crop.input();
      this.roi = crop.mask();
    }
  }

  String source() {
    return source;
  }

  /** The raster the job runs on: the whole one, or the rectangle round the roi. */
  RasterInput input() {
    return input;
  }

  /** "EPSG:32633", or the CRS's name when it has no EPSG code. */
  String crsLabel() {
    return raster.spatialReference().label();
  }

  /**
   * The whole raster's plan for a query: with {@code scaleRule} null, the user's options (and the
   * statistics pass they may need); else the rule the first plan resolved.
   */
  SegmentationPlan plan(Segmenter model, JobOptions job, String query, String scaleRule)
      throws java.io.IOException {
    SegmentationPlan plan = plans.get(query);
    if (plan == null) {
      SegmentOptions.Builder options = job.segmentOptionsBuilder(query, scaleRule);
      if (roi != null) {
        options.roi(roi);
      }
      plan = model.planInWindows(input, options.build(), windowSide(job, scaleRule));
      plans.put(query, plan);
    }
    return plan;
  }

  /**
   * The side of this raster's window cores: the job's, or the whole raster for a per-band
   * percentile stretch, which a window cannot repeat without the whole raster's statistics.
   */
  int windowSide(JobOptions job, String scaleRule) {
    boolean repeatable =
        scaleRule == null || ScaleRule.parse(scaleRule).mode() != ScaleRule.Mode.PERCENTILE;
    return repeatable ? job.windowSide() : Math.max(input.width(), input.height());
  }

  LonLatProjection lonLat() {
    if (lonLat == null) {
      lonLat = new LonLatProjection(raster.crs());
    }
    return lonLat;
  }

  @Override
  public void close() {
    raster.close();
  }
}
