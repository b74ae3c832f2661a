package org.diffris.spark;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.diffris.pipeline.RunManifest;
import org.diffris.runtime.ModelBundle;
import org.diffris.runtime.json.JsonReader;

/**
 * The job's run manifest ({@link RunManifest}), {@value OutputFolder#MANIFEST} in the answers'
 * folder: besides a single run's fields, every raster's completion ({@code rasters}: status
 * {@code done} or {@code failed}, the stage and reason of a failure, the rows written, the run
 * that wrote them) and every run that wrote into the folder ({@code runs}), which is what
 * {@code --resume} reads back.
 */
final class JobManifest {
  static final String DONE = "done";
  static final String FAILED = "failed";

  /** The options a resumed job must share with the job it resumes: all but the device. */
  private static final List<String> SAME_FOR_RESUME =
      List.of(
          "queries",
          "threshold",
          "bands",
          "tile",
          "overlap",
          "batch",
          "scale",
          "min_area",
          "max_pixels",
          "window");

  private JobManifest() {}

  /** The job's options as given (null: the model's default), as {@code options} holds them. */
  static Map<String, Object> options(JobOptions job) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("queries", List.copyOf(job.queries()));
    m.put("threshold", job.threshold());
    m.put("bands", job.bands());
    m.put("tile", job.tile() == null ? null : (long) job.tile());
    m.put("overlap", job.overlap() == null ? null : (long) job.overlap());
    m.put("batch", (long) job.batch());
    m.put("scale", job.scale());
    m.put("min_area", job.minArea());
    m.put("max_pixels", job.maxPixels());
    m.put("window", (long) job.windowSide());
    m.put("device", job.device());
    return m;
  }

  /**
   * The model as the driver sees it: name, version, bundle, content digest; when the driver
   * cannot open the bundle (the executors' task then fails every raster with the reason), the
   * reason instead of name, version and digest.
   */
  static Map<String, Object> model(JobOptions job) {
    Map<String, Object> m = new LinkedHashMap<>();
    try {
      java.nio.file.Path location = ExecutorModels.bundleLocation(job.model());
      ModelBundle bundle = ModelBundle.open(location);
      m.put("name", bundle.description().name());
      m.put("version", bundle.description().version());
      m.put("bundle", location.toString());
      m.put("sha256", bundle.contentSha256());
    } catch (IOException | RuntimeException e) {
      m.put("bundle", job.model());
      m.put("error", Failures.reason(e));
    }
    return m;
  }

  /** A raster as the manifest's {@code inputs} hold it: as listed, with size and time. */
  static RunManifest.Input input(String source, Configuration conf) throws IOException {
    Path path = new Path(source);
    FileSystem fs = path.getFileSystem(conf);
    FileStatus status = fs.getFileStatus(path);
    return new RunManifest.Input(
        "raster", source, status.getLen(), Instant.ofEpochMilli(status.getModificationTime()));
  }

  /**
   * The manifest of the job that wrote {@code out}, for {@code --resume}.
   *
   * @throws IllegalArgumentException when there is no such folder, or it holds no manifest of
   *     this job
   */
  static Map<?, ?> previous(String out, Configuration conf) throws IOException {
    Path folder = new Path(out);
    FileSystem fs = folder.getFileSystem(conf);
    if (!fs.exists(folder)) {
      throw new IllegalArgumentException(
          "--resume: --out "
              + out
              + " does not exist; there is nothing to resume (run without"
              + " --resume)");
    }
    Path file = new Path(folder, OutputFolder.MANIFEST);
    if (!fs.exists(file)) {
      throw new IllegalArgumentException(
          "--resume: --out "
              + out
              + " holds no "
              + OutputFolder.MANIFEST
              + ": it was not written by this job (or by a version before run manifests); run"
              + " without --resume into a new folder");
    }
    Object root;
    try (InputStream in = fs.open(file)) {
      root = JsonReader.parse(in, file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--resume: " + file + " cannot be read: " + e.getMessage(), e);
    }
    if (!(root instanceof Map<?, ?> m) || !RunManifest.FORMAT.equals(m.get("format"))) {
      throw new IllegalArgumentException(
          "--resume: "
              + file
              + " is not a run manifest of this job (format "
              + RunManifest.FORMAT
              + ")");
    }
    return m;
  }

  /**
   * Refuses to resume a job whose options or model differ from the one that wrote the folder,
   * naming each difference.
   */
  static void requireSameJob(Map<?, ?> previous, JobOptions job, Map<String, Object> model) {
    Map<?, ?> then = (Map<?, ?>) previous.get("options");
    Map<?, ?> now = (Map<?, ?>) reread(options(job));
    List<String> differ = new ArrayList<>();
    for (String key : SAME_FOR_RESUME) {
      if (then == null || !Objects.equals(then.get(key), now.get(key))) {
        differ.add(
            "--"
                + key.replace('_', '-').replace("queries", "query")
                + " was "
                + (then == null ? "not recorded" : show(then.get(key)))
                + ", now "
                + show(now.get(key)));
      }
    }
    Map<?, ?> thenModel = (Map<?, ?>) previous.get("model");
    Object thenDigest = thenModel == null ? null : thenModel.get("sha256");
    if (model.get("sha256") == null || !Objects.equals(thenDigest, model.get("sha256"))) {
      differ.add("the model was " + describe(thenModel) + ", now " + describe(model));
    }
    if (!differ.isEmpty()) {
      throw new IllegalArgumentException(
          "--resume: the job differs from the one that wrote "
              + "--out: "
              + String.join("; ", differ)
              + "; resume with the same options and model, or run without --resume");
    }
  }

  private static String describe(Map<?, ?> model) {
    if (model == null) {
      return "not recorded";
    }
    if (model.get("sha256") == null) {
      return model.get("bundle") + " (" + model.get("error") + ")";
    }
    return model.get("name") + " " + model.get("version") + " (sha256 " + model.get("sha256") + ")";
  }

  private static String show(Object value) {
    return value == null ? "the default" : String.valueOf(value);
  }

  /** A value as the manifest's reader gives it back (numbers as the reader types them). */
  private static Object reread(Object value) {
    try {
      return JsonReader.parse(RunManifest.toJson(value), "options");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The rasters of {@code inputs} the folder already answers: done by an earlier run and, by
   * size and modification time, the same file now.
   */
  static Set<String> alreadyDone(Map<?, ?> previous, List<RunManifest.Input> inputs) {
    Map<String, Map<?, ?>> byPath = new LinkedHashMap<>();
    if (previous.get("rasters") instanceof List<?> rasters) {
      for (Object r : rasters) {
        Map<?, ?> raster = (Map<?, ?>) r;
        byPath.put(String.valueOf(raster.get("path")), raster);
      }
    }
    Set<String> done = new TreeSet<>();
    for (RunManifest.Input input : inputs) {
      Map<?, ?> then = byPath.get(input.path());
      if (then != null
          && DONE.equals(then.get("status"))
          && then.get("bytes") instanceof Number bytes
          && bytes.longValue() == input.bytes()
          && input.modified().toString().equals(then.get("modified"))) {
        done.add(input.path());
      }
    }
    return done;
  }

  /**
   * What this run did.
   *
   * @param plans each raster's planning
   * @param stats each window's
   * @param failed the failures table's rows: source, stage, reason
   */
  record Work(
      List<RasterPlanning.Outcome> plans,
      List<SegmentJob.WindowStats> stats,
      List<org.apache.spark.sql.Row> failed,
      int windows,
      double squareKilometres) {}

  /**
   * The manifest of a run that wrote {@code layer} (this run's rows and, resumed, the kept
   * ones).
   */
  static RunManifest of(
      JobOptions job,
      SegmentJob.Outputs outputs,
      SegmentJob.Run run,
      Work work,
      org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> layer,
      long polygons,
      double wallMillis) {
    Map<String, Long> rows = new java.util.HashMap<>();
    for (org.apache.spark.sql.Row r :
        layer.groupBy(FeatureRows.SOURCE_PATH).count().collectAsList()) {
      rows.put(r.getString(0), r.getLong(1));
    }
    long atEdge = layer.where(org.diffris.pipeline.OutputSchema.AT_EDGE.name()).count();
    Map<String, org.apache.spark.sql.Row> failures = new LinkedHashMap<>();
    for (org.apache.spark.sql.Row f : work.failed()) {
      failures.putIfAbsent(f.getString(0), f);
    }
    Map<String, Map<String, Object>> applied = new LinkedHashMap<>();
    List<String> warnings = new ArrayList<>();
    for (RasterPlanning.Outcome plan : work.plans()) {
      applied.put(plan.source(), plan.options());
      plan.warnings().forEach(w -> warnings.add(plan.source() + ": " + w));
    }
    List<Object> rasters = new ArrayList<>();
    for (RunManifest.Input input : run.inputs()) {
      Map<String, Object> raster = new LinkedHashMap<>();
      raster.put("path", input.path());
      raster.put("bytes", input.bytes());
      raster.put("modified", input.modified().toString());
      org.apache.spark.sql.Row failure = failures.get(input.path());
      boolean kept = run.kept().contains(input.path());
      raster.put("status", failure == null ? DONE : FAILED);
      raster.put("stage", failure == null ? null : failure.getString(1));
      raster.put("error", failure == null ? null : failure.getString(2));
      raster.put("rows", failure == null ? rows.getOrDefault(input.path(), 0L) : 0L);
      raster.put("run_id", kept ? runIdOf(run.previous(), input.path()) : run.id());
      raster.put(
          "options",
          kept ? appliedBefore(run.previous(), input.path()) : applied.get(input.path()));
      rasters.add(raster);
    }
    long tiles = 0;
    long skipped = 0;
    double model = 0;
    double reading = 0;
    double vectorizing = 0;
    Set<String> providers = new TreeSet<>();
    for (SegmentJob.WindowStats s : work.stats()) {
      tiles += s.tiles();
      skipped += s.tilesSkipped();
      model += s.modelMillis();
      reading += s.readingMillis();
      vectorizing += s.vectorizingMillis();
      if (s.provider() != null) {
        providers.add(s.provider());
      }
    }
    Map<String, Object> counts =
        RunManifest.counts(tiles, skipped, polygons, atEdge, warnings.size());
    counts.put("rasters", (long) run.inputs().size());
    counts.put("rasters_failed", (long) failures.size());
    counts.put("rasters_run", (long) (run.inputs().size() - run.kept().size()));
    counts.put("rasters_kept", (long) run.kept().size());
    counts.put("windows", (long) work.windows());
    List<String> written = new ArrayList<>(List.of(outputs.out(), outputs.failures()));
    if (outputs.gpkg() != null) {
      written.add(outputs.gpkg().toAbsolutePath().toString());
    }
    Map<String, Object> thisRun = new LinkedHashMap<>();
    thisRun.put("run_id", run.id());
    thisRun.put("started", run.started().toString());
    thisRun.put("resumed", run.previous() != null);
    thisRun.put("rasters_run", (long) (run.inputs().size() - run.kept().size()));
    RunManifest manifest =
        new RunManifest("diffris-spark", run.id(), run.started()).put("model", run.model());
    manifest.put("execution_provider", providers.isEmpty() ? null : String.join(", ", providers));
    return manifest
        .put("options", options(job))
        .inputs(run.inputs())
        .outputs(written)
        .result(
            counts,
            RunManifest.timings(wallMillis, model, reading, vectorizing),
            warnings,
            work.squareKilometres(),
            wallMillis)
        .put("rasters", rasters)
        .put("runs", runs(run.previous(), thisRun));
  }

  private static Object appliedBefore(Map<?, ?> previous, String path) {
    for (Object r : (List<?>) previous.get("rasters")) {
      Map<?, ?> raster = (Map<?, ?>) r;
      if (path.equals(raster.get("path"))) {
        return raster.get("options");
      }
    }
    return null;
  }

  /** The run id an earlier run's raster rows carry. */
  static String runIdOf(Map<?, ?> previous, String path) {
    if (previous != null && previous.get("rasters") instanceof List<?> rasters) {
      for (Object r : rasters) {
        Map<?, ?> raster = (Map<?, ?>) r;
        if (path.equals(raster.get("path"))) {
          return String.valueOf(raster.get("run_id"));
        }
      }
    }
    throw new IllegalStateException("no earlier record of " + path);
  }

  /** The earlier runs that wrote into the folder, this one's entry added. */
  static List<Object> runs(Map<?, ?> previous, Map<String, Object> thisRun) {
    List<Object> runs = new ArrayList<>();
    if (previous != null && previous.get("runs") instanceof List<?> earlier) {
      runs.addAll(earlier);
    }
    runs.add(thisRun);
    return runs;
  }
}
