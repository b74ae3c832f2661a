package org.diffris.geoserver;

import java.io.IOException;
import java.util.logging.Logger;
import org.diffris.pipeline.RunEstimate;
import org.diffris.pipeline.SegmentationSummary;
import org.diffris.pipeline.Segmenter;
import org.diffris.pipeline.TileCostCache;
import org.geotools.process.ProcessException;

/**
 * The server's limit on a request's estimated time ({@link ServerSettings#maxEstimatedSeconds()}):
 * checks a request's {@link RunEstimate} before its pixels are read, and teaches the tile-cost
 * cache (the server user's, {@link TileCostCache#forUser}) what each run measured. Without a
 * limit it does nothing: no calibration, no cache.
 */
final class RequestEstimate {
  private static final Logger LOG = Logger.getLogger(RequestEstimate.class.getName());

  private final Segmenter segmenter;
  private final double maxSeconds;
  private final TileCostCache cache;
  private RunEstimate estimate;

  RequestEstimate(Segmenter segmenter, ServerSettings settings) {
    this.segmenter = segmenter;
    this.maxSeconds = settings.maxEstimatedSeconds();
    this.cache = maxSeconds > 0 ? TileCostCache.forUser(LOG::warning) : null;
  }

  /**
   * Refuses the request when its estimated time is above the limit.
   *
   * @throws org.diffris.pipeline.EstimateLimitException with the estimate and the limit
   */
  void check(RunEstimate planned) {
    if (cache == null) {
      return;
    }
    try {
      estimate = planned.withCost(cache.costFor(segmenter, planned));
    } catch (IOException e) {
      throw new ProcessException(
          "the request's time cannot be estimated (diffris.maxEstimatedSeconds is set): "
              + e.getMessage(),
          e);
    }
    LOG.info(() -> "diffris:Segment estimate: " + String.join("; ", estimate.lines()));
    estimate.checkWithin(maxSeconds);
  }

  /** Adds a finished run's measured cost to the cache. */
  void record(SegmentationSummary summary) {
    if (cache != null && estimate != null) {
      cache.recordRun(segmenter, estimate, summary);
    }
  }
}
