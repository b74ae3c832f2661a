package org.diffris.spark;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a job did, printed at its end: rasters, windows, tiles, ground covered, polygons, time in
 * the model against the job's wall time, and each executor's throughput.
 *
 * @param mergedObjects polygons made of the pieces windows cut ({@link #pieces()})
 *
 * @param cores the job's task slots (Spark's default parallelism)
 */
record JobSummary(
    int rasters,
    int failedRasters,
    int windows,
    double squareKilometres,
    long polygons,
    long mergedObjects,
    List<SegmentJob.WindowStats> windowStats,
    double wallMillis,
    int cores,
    String out,
    String failuresOut) {

  long tiles() {
    return windowStats.stream().mapToLong(SegmentJob.WindowStats::tiles).sum();
  }

  /** Regions that touched a window's side with another window beyond it, before the merge. */
  long pieces() {
    return windowStats.stream()
        .filter(s -> s.failure() == null)
        .mapToLong(SegmentJob.WindowStats::pieces)
        .sum();
  }

  double modelMillis() {
    return windowStats.stream().mapToDouble(SegmentJob.WindowStats::modelMillis).sum();
  }

  void print(PrintStream out) {
    out.printf(
        Locale.ROOT,
        "rasters=%d failed=%d windows=%d tiles=%d km2=%.3f polygons=%d pieces=%d merged=%d model_ms=%.0f"
            + " wall_ms=%.0f cores=%d tiles_per_core_s=%.2f%n",
        rasters,
        failedRasters,
        windows,
        tiles(),
        squareKilometres,
        polygons,
        pieces(),
        mergedObjects,
        modelMillis(),
        wallMillis,
        cores,
        tiles() / (wallMillis / 1000) / cores);
    Map<String, double[]> byExecutor = new TreeMap<>();
    for (SegmentJob.WindowStats s : windowStats) {
      double[] t = byExecutor.computeIfAbsent(s.executor(), k -> new double[3]);
      t[0] += s.tiles();
      t[1] += s.wallMillis();
      t[2] += s.modelMillis();
    }
    byExecutor.forEach(
        (executor, t) ->
            out.printf(
                Locale.ROOT,
                "executor %s: tiles=%.0f task_ms=%.0f model_ms=%.0f tiles_per_task_s=%.2f%n",
                executor,
                t[0],
                t[1],
                t[2],
                t[0] / (t[1] / 1000)));
    out.println("answers: " + this.out);
    out.println("failures: " + failuresOut + (failedRasters == 0 ? " (none)" : ""));
  }
}
