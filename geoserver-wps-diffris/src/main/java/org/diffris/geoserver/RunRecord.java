package org.diffris.geoserver;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.diffris.pipeline.Provenance;
import org.diffris.pipeline.RunManifest;
import org.diffris.pipeline.SegmentationPlan;
import org.diffris.pipeline.SegmentationSummary;
import org.diffris.pipeline.Segmenter;
import org.geotools.coverage.grid.GridCoverage2D;

/**
 * One {@code diffris:Segment} request as a run: its id and source on every feature ({@link
 * Provenance}: the coverage's name), and its manifest ({@link RunManifest}) as one log line at
 * INFO, {@value #LOG_PREFIX} followed by the JSON document, when the request has answered.
 */
final class RunRecord {
  static final String LOG_PREFIX = "diffris:Segment run manifest ";
  private static final Logger LOG = Logger.getLogger(RunRecord.class.getName());

  private final Provenance provenance;
  private final Instant started = Instant.now();

  RunRecord(GridCoverage2D coverage) {
    this.provenance = new Provenance(coverageName(coverage), Provenance.newRunId());
  }

  /** The coverage's name as GeoServer gives it (the layer's native name), or "coverage". */
  static String coverageName(GridCoverage2D coverage) {
    Object name = coverage == null ? null : coverage.getName();
    String text = name == null ? "" : name.toString().strip();
    return text.isEmpty() ? "coverage" : text;
  }

  Provenance provenance() {
    return provenance;
  }

  /** The request's manifest. */
  RunManifest manifest(
      Segmenter segmenter, SegmentationPlan plan, SegmentationSummary summary, double totalMillis)
      throws IOException {
    return new RunManifest("diffris:Segment", provenance.runId(), started)
        .model(segmenter)
        .options(plan)
        .inputs(List.of(new RunManifest.Input("coverage", provenance.source(), null, null)))
        .outputs(List.of())
        .result(summary, plan.warnings(), plan.squareKilometres(), totalMillis);
  }

  /** Logs the manifest; a manifest that cannot be made is a warning, never a failed request. */
  void log(
      Segmenter segmenter, SegmentationPlan plan, SegmentationSummary summary, double totalMillis) {
    try {
      String line = manifest(segmenter, plan, summary, totalMillis).jsonLine();
      LOG.log(Level.INFO, () -> LOG_PREFIX + line);
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "diffris:Segment: no run manifest for " + provenance.runId(), e);
    }
  }
}
