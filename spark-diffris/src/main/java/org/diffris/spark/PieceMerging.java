package org.diffris.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.diffris.pipeline.SegmentationPlan;
import org.diffris.pipeline.WindowPiece;
import org.diffris.pipeline.WindowPieces;
import org.diffris.vectorizer.VectorizedRegion;

/**
 * The third stage, one raster and query at a time: merges the pieces windows cut
 * ({@link WindowPieces#merge}) into whole objects and makes their answer rows, after the job's
 * minimum area (which a piece alone cannot be held to).
 */
final class PieceMerging {
  private PieceMerging() {}

  /** The merged answer rows, or why the merge failed. */
  record Outcome(String source, List<Row> features, String failure) implements Serializable {}

  /** Merges one raster's and query's pieces into rows of the job {@code runId}. */
  static Outcome merge(Iterable<PieceRecord> records, JobOptions job, String runId) {
    List<PieceRecord> all = new ArrayList<>();
    records.forEach(all::add);
    PieceRecord first = all.get(0);
    try (ExecutorModels.Lease model = ExecutorModels.lease(job);
        RasterRun run = new RasterRun(first.source(), job)) {
      SegmentationPlan plan = run.plan(model.model(), job, first.query(), first.scaleRule());
      List<WindowPiece> pieces = new ArrayList<>(all.size());
      for (PieceRecord r : all) {
        pieces.add(r.piece());
      }
      List<Row> features = new ArrayList<>();
      for (WindowPiece merged : WindowPieces.merge(pieces, plan.connectivity())) {
        VectorizedRegion region = plan.region(merged);
        if (plan.keeps(region)) {
          features.add(FeatureRows.of(run, plan, region, runId));
        }
      }
      return new Outcome(first.source(), features, null);
    } catch (Exception | OutOfMemoryError e) {
      return new Outcome(
          first.source(),
          List.of(),
          "merging the objects cut by windows for '" + first.query() + "': " + Failures.reason(e));
    }
  }
}
