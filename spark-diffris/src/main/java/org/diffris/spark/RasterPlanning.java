package org.diffris.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffris.pipeline.AreaOfInterest;
import org.diffris.pipeline.RasterInput;
import org.diffris.pipeline.RasterWindows;
import org.diffris.pipeline.RunManifest;
import org.diffris.pipeline.SegmentationPlan;
import org.diffris.pipeline.Segmenter;
import org.diffris.vectorizer.PixelBounds;

/**
 * The first stage, one raster at a time: checks the job against the raster and the model (every
 * query), resolves the value scaling once for the whole raster, and cuts it into windows. A
 * raster that fails here is reported, and no window of it runs.
 */
final class RasterPlanning {
  private RasterPlanning() {}

  /**
   * What planning one raster gave.
   *
   * @param windows its windows, empty when it failed
   * @param failure why it failed, or null
   * @param squareKilometres the ground it covers (0 when it failed)
   * @param warnings what the plans said about the queries
   * @param outsideRoi why the raster was passed over (the job's roi does not overlap it), or null
   * @param options the options as the first query's plan applies them ({@link
   *     RunManifest#optionsOf}, less the query), for the run manifest; empty when it failed
   */
  record Outcome(
      String source,
      List<WindowTask> windows,
      String failure,
      double squareKilometres,
      List<String> warnings,
      String outsideRoi,
      Map<String, Object> options)
      implements Serializable {}

  static Outcome plan(String source, JobOptions job) {
    try (ExecutorModels.Lease lease = ExecutorModels.lease(job);
        RasterRun run = new RasterRun(source, job)) {
      Segmenter model = lease.model();
      String rule = null;
      List<String> warnings = new ArrayList<>();
      SegmentationPlan plan = null;
      Map<String, Object> options = null;
      for (String query : job.queries()) {
        plan = run.plan(model, job, query, rule);
        if (options == null) {
          options = new LinkedHashMap<>(RunManifest.optionsOf(plan));
          options.remove("query");
        }
        rule = plan.scaling().rule();
        for (String w : plan.warnings()) {
          warnings.add("'" + query + "': " + w);
        }
      }
      RasterInput input = run.input();
      List<WindowTask> windows = new ArrayList<>();
      for (PixelBounds core :
          RasterWindows.cores(input.width(), input.height(), run.windowSide(job, rule))) {
        // A core the roi holds no pixel of gives nothing: it is never run, nor its window read.
        if (plan.needs(core)) {
          windows.add(new WindowTask(source, rule, core));
        }
      }
      return new Outcome(source, windows, null, input.squareKilometres(), warnings, null, options);
    } catch (AreaOfInterest.OutsideRasterException e) {
      return new Outcome(source, List.of(), null, 0, List.of(), e.getMessage(), Map.of());
    } catch (Exception | OutOfMemoryError e) {
      return new Outcome(source, List.of(), Failures.reason(e), 0, List.of(), null, Map.of());
    }
  }
}
