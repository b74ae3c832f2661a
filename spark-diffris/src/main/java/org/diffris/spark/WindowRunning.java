package org.diffris.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;
import org.diffris.pipeline.SegmentationPlan;
import org.diffris.pipeline.SegmentationSummary;
import org.diffris.pipeline.Segmenter;
import org.diffris.pipeline.WindowPiece;
import org.diffris.pipeline.WindowPlan;
import org.diffris.vectorizer.VectorizedRegion;

/**
 * The second stage, one window at a time: runs every query on the window through the pipeline
 * ({@link SegmentationPlan#window}), turns the regions no window side cut into answer rows at
 * once, and sends the cut ones on to be merged.
 */
final class WindowRunning {
  private WindowRunning() {}

  /**
   * What one window gave.
   *
   * @param features answer rows of objects wholly inside the core
   * @param pieces objects cut by the core's sides, to merge
   * @param tiles model tiles run
   * @param tilesSkipped of them, those with no valid pixel, never sent to the model
   * @param modelMillis time in the model
   * @param readingMillis time reading the raster ({@link SegmentationSummary#readingNanos})
   * @param vectorizingMillis time vectorizing ({@link SegmentationSummary#vectorizingNanos})
   * @param provider where the model ran (CPU, CUDA:0), or null when nothing ran
   * @param wallMillis time the window took, reading and vectorizing included
   * @param executor the executor that ran it
   * @param failure why it failed, or null (then nothing else counts)
   */
  record Outcome(
      String source,
      WindowTask window,
      List<Row> features,
      List<PieceRecord> pieces,
      long tiles,
      long tilesSkipped,
      double modelMillis,
      double readingMillis,
      double vectorizingMillis,
      String provider,
      double wallMillis,
      String executor,
      String failure)
      implements Serializable {}

  /** Runs one window of the job {@code runId}. */
  static Outcome run(WindowTask task, JobOptions job, String runId) {
    long start = System.nanoTime();
    String executor = SparkEnv.get() == null ? "driver" : SparkEnv.get().executorId();
    List<Row> features = new ArrayList<>();
    List<PieceRecord> pieces = new ArrayList<>();
    long tiles = 0;
    long skipped = 0;
    double modelMillis = 0;
    double readingMillis = 0;
    double vectorizingMillis = 0;
    String provider = null;
    // Asked between tiles, maybe on another thread than the task's: the task's context now.
    TaskContext context = TaskContext.get();
    BooleanSupplier stopped =
        () -> ExecutorModels.stopping() || (context != null && context.isInterrupted());
    try (ExecutorModels.Lease lease = ExecutorModels.lease(job);
        RasterRun run = new RasterRun(task.source(), job)) {
      Segmenter model = lease.model();
      for (String query : job.queries()) {
        SegmentationPlan plan = run.plan(model, job, query, task.scaleRule());
        WindowPlan window = plan.window(task.core());
        List<WindowPiece> whole = new ArrayList<>();
        SegmentationSummary summary =
            window.run(
                piece -> {
                  if (piece.open()) {
                    pieces.add(PieceRecord.of(task.source(), query, task.scaleRule(), piece));
                  } else {
                    whole.add(piece);
                  }
                },
                (done, total) -> {},
                // A killed job or stage, or a stopping JVM: stop between tiles.
                stopped);
        for (WindowPiece piece : whole) {
          VectorizedRegion region = plan.region(piece);
          if (plan.keeps(region)) {
            features.add(FeatureRows.of(run, plan, region, runId));
          }
        }
        tiles += summary.inference().tiles();
        skipped += summary.inference().tilesSkipped();
        modelMillis += summary.inference().modelMillis();
        readingMillis += summary.readingNanos() / 1e6;
        vectorizingMillis += summary.vectorizingNanos() / 1e6;
        provider = org.diffris.pipeline.RunManifest.provider(model.provider());
      }
    } catch (Exception | OutOfMemoryError e) {
      return new Outcome(
          task.source(),
          task,
          List.of(),
          List.of(),
          tiles,
          skipped,
          modelMillis,
          readingMillis,
          vectorizingMillis,
          provider,
          (System.nanoTime() - start) / 1e6,
          executor,
          "window " + task + ": " + Failures.reason(e));
    }
    return new Outcome(
        task.source(),
        task,
        features,
        pieces,
        tiles,
        skipped,
        modelMillis,
        readingMillis,
        vectorizingMillis,
        provider,
        (System.nanoTime() - start) / 1e6,
        executor,
        null);
  }
}
