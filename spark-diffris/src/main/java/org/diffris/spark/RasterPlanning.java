package org.diffris.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.diffris.pipeline.AreaOfInterest;
import org.diffris.pipeline.RasterInput;
import org.diffris.pipeline.RasterWindows;
import org.diffris.pipeline.SegmentationPlan;
import org.diffris.pipeline.Segmenter;
import org.diffris.vectorizer.PixelBounds;
import org.diffris.vectorizer.PixelToWorld;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.GeometryFactory;

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
   */
  record Outcome(
      String source,
      List<WindowTask> windows,
      String failure,
      double squareKilometres,
      List<String> warnings,
      String outsideRoi)
      implements Serializable {}

  static Outcome plan(String source, JobOptions job) {
    try (ExecutorModels.Lease lease = ExecutorModels.lease(job);
        RasterRun run = new RasterRun(source, job)) {
      Segmenter model = lease.model();
      String rule = null;
      List<String> warnings = new ArrayList<>();
      SegmentationPlan plan = null;
      for (String query : job.queries()) {
        plan = run.plan(model, job, query, rule);
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
      return new Outcome(source, windows, null, squareKilometres(input), warnings, null);
    } catch (AreaOfInterest.OutsideRasterException e) {
      return new Outcome(source, List.of(), null, 0, List.of(), e.getMessage());
    } catch (Exception | OutOfMemoryError e) {
      return new Outcome(source, List.of(), Failures.reason(e), 0, List.of(), null);
    }
  }

  private static double squareKilometres(RasterInput input) {
    PixelToWorld t = input.pixelToWorld();
    int w = input.width();
    int h = input.height();
    Coordinate[] corners = {
      new Coordinate(t.x(0, 0), t.y(0, 0)),
      new Coordinate(t.x(w, 0), t.y(w, 0)),
      new Coordinate(t.x(w, h), t.y(w, h)),
      new Coordinate(t.x(0, h), t.y(0, h)),
      new Coordinate(t.x(0, 0), t.y(0, 0))
    };
    return input.areaModel().areaSquareMetres(new GeometryFactory().createPolygon(corners)) / 1e6;
  }
}
