package org.diffris.spark;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.sedona.spark.SedonaContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.diffris.output.AtomicOutput;
import org.diffris.runtime.onnx.ExecutionProvider;
import org.diffris.runtime.onnx.NativeLibraryCache;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code diffris segment} over many rasters on Spark: every GeoTIFF named by {@code --rasters},
 * every query, one GeoParquet layer of answers and a table of the rasters that failed. Runs with
 * {@code spark-submit --class org.diffris.spark.SegmentJob diffris-spark.jar ...} on a cluster or
 * in local mode.
 *
 * <p>Three stages: each raster is planned (options checked, value scaling resolved, cut into
 * windows); each window runs through the pipeline on an executor's one loaded model; objects cut
 * by windows are merged per raster. The answer equals {@code diffris segment} on each raster.
 */
@Command(
    name = "diffris-spark",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Finds what the queries describe in every raster given and writes the polygons as one"
            + " GeoParquet layer (longitude/latitude) with the rasters that failed beside it.")
public final class SegmentJob implements Callable<Integer> {

  @Option(
      names = "--rasters",
      paramLabel = "PATH",
      description =
          "GeoTIFFs: files, folders (their .tif/.tiff files) or globs, on any file system Hadoop"
              + " reaches (file:, hdfs:, s3a:, gs:, abfss:); repeat or separate with commas.")
  List<String> rasters = new ArrayList<>();

  @Option(
      names = "--raster-list",
      paramLabel = "FILE",
      description =
          "A text file (any Hadoop file system) naming one raster per line, as --rasters takes"
              + " them; blank lines and lines starting with # are skipped.")
  String rasterList;

  @Option(
      names = "--query",
      required = true,
      paramLabel = "TEXT",
      description =
          "What to find, in words; repeat for several queries (one pass over the imagery).")
  List<String> queries = new ArrayList<>();

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "GeoParquet folder to write the answers to.")
  String out;

  @Option(
      names = "--failures",
      paramLabel = "DIR",
      description =
          "Parquet folder for the rasters that failed and why (default: DIR-failures beside"
              + " --out); written even when none failed.")
  String failures;

  @Option(
      names = "--gpkg",
      paramLabel = "FILE.gpkg",
      description =
          "Also write the answers as one GeoPackage layer (longitude/latitude, EPSG:4326) at this"
              + " path on the driver, for results small enough for one file.")
  String gpkg;

  @Option(
      names = "--overwrite",
      description =
          "Replace --out, --failures and --gpkg if they exist (a folder only when this job wrote"
              + " it).")
  boolean overwrite;

  @Option(
      names = "--resume",
      description =
          "Finish a job whose --out exists: rerun only the rasters that failed, are new to the"
              + " list or changed since, keep the answers of the others, and rewrite the outputs"
              + " as a fresh run would; refused unless this job wrote --out with the same"
              + " options and model.")
  boolean resume;

  @Option(
      names = "--model",
      paramLabel = "BUNDLE",
      description =
          "Model bundle folder or zip: a path every executor reads, or a file shipped with"
              + " --files (default: the embedded diffris-tiny).")
  String model;

  @Option(
      names = "--device",
      defaultValue = "auto",
      paramLabel = "auto|cpu|cuda[:N]",
      description = "Where the model runs on each executor: " + ExecutionProvider.ACCEPTED + ".")
  String device;

  @Option(
      names = "--window",
      defaultValue = "2048",
      paramLabel = "PX",
      description =
          "Side of a window's core in raster pixels (default 2048); a window also reads the"
              + " model's edge margin round it. Bounds a task's memory.")
  int window;

  @Option(
      names = "--roi",
      paramLabel = "WKT|FILE",
      description =
          "Area of interest, as diffris segment takes it (WKT with --roi-crs, SRID=n;WKT, or a"
              + " GeoJSON or GeoPackage file on the driver), reprojected to each raster's CRS:"
              + " only the raster's rectangle round it is planned, windows it holds no pixel of"
              + " are never read, rasters it misses are passed over.")
  String roi;

  @Option(names = "--roi-crs", paramLabel = "EPSG:N", description = "As diffris segment.")
  String roiCrs;

  @Option(names = "--roi-layer", paramLabel = "NAME", description = "As diffris segment.")
  String roiLayer;

  @Option(names = "--threshold", paramLabel = "T", description = "As diffris segment.")
  Double threshold;

  @Option(names = "--tile", paramLabel = "PX", description = "As diffris segment.")
  Integer tile;

  @Option(names = "--overlap", paramLabel = "PX", description = "As diffris segment.")
  Integer overlap;

  @Option(
      names = "--batch",
      defaultValue = "4",
      paramLabel = "N",
      description = "As diffris segment.")
  int batch;

  @Option(names = "--bands", paramLabel = "1,2,3", description = "As diffris segment.")
  String bands;

  @Option(names = "--scale", paramLabel = "RULE", description = "As diffris segment.")
  String scale;

  @Option(names = "--min-area", paramLabel = "M2", description = "As diffris segment.")
  Double minArea;

  @Option(names = "--max-pixels", paramLabel = "N", description = "As diffris segment.")
  Long maxPixels;

  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "Spark master when not run by spark-submit (local[2], for example).")
  String master;

  /**
   * Exit status: 0 all rasters answered, 3 some failed (see the failures table), 2 a usage error,
   * 1 the job could not start (an output exists, a pattern matched nothing), 130 or 143 stopped by
   * SIGINT or SIGTERM (nothing written).
   */
  public static void main(String[] args) {
    NativeLibraryCache.install(); // before ONNX Runtime loads: nothing left in /tmp per run
    JobStop.install();
    CommandLine command = new CommandLine(new SegmentJob());
    // Option errors are one line naming the problem, not a usage dump.
    command.setParameterExceptionHandler(
        (e, ignored) -> {
          e.getCommandLine()
              .getErr()
              .println("diffris-spark: " + e.getMessage() + " (see diffris-spark --help)");
          return 2;
        });
    command.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          // What the user must change, in one line; Spark's own failures keep their trace.
          if (e instanceof IllegalArgumentException) {
            cmd.getErr().println("diffris-spark: " + e.getMessage());
            return 1;
          }
          throw e;
        });
    System.exit(command.execute(args));
  }

  @Override
  public Integer call() throws Exception {
    JobOptions job = jobOptions();
    if (rasters.isEmpty() && rasterList == null) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "give the rasters: --rasters, --raster-list or both");
    }
    SparkSession.Builder builder = SparkSession.builder().appName("diffris segment");
    if (master != null) {
      builder.master(master);
    }
    SparkSession spark = SedonaContext.create(builder.getOrCreate());
    JobStop.attach(spark.sparkContext());
    try {
      JobSummary summary =
          run(
              spark,
              job,
              rasters,
              rasterList,
              new Outputs(
                  out,
                  failures != null ? failures : out + "-failures",
                  gpkg == null ? null : Path.of(gpkg),
                  overwrite,
                  resume));
      summary.print(System.out);
      spark.stop();
      return summary.failedRasters() == 0 ? 0 : 3;
    } catch (Exception | Error e) {
      if (JobStop.requested()) {
        JobStop.unwound(); // the signal's handler says what happened and exits
      }
      spark.stop();
      throw e;
    }
  }

  private JobOptions jobOptions() {
    if (window < 64) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--window must be at least 64 pixels, got " + window);
    }
    try {
      ExecutionProvider.parse(device);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--device: " + e.getMessage());
    }
    JobOptions job =
        new JobOptions(
            queries, model, device, threshold, bands, tile, overlap, batch, scale, minArea,
            maxPixels, window, roi());
    // Checked here, before Spark starts: the same checks as the command line's.
    try {
      queries.forEach(q -> job.segmentOptions(q, null));
    } catch (org.diffris.pipeline.InvalidOptionException e) {
      throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
    }
    return job;
  }

  /** The area of interest, read and checked on the driver before Spark starts; or null. */
  private org.diffris.output.RoiArgument roi() {
    if (roi == null) {
      if (roiCrs != null || roiLayer != null) {
        throw new CommandLine.ParameterException(
            new CommandLine(this), (roiCrs != null ? "--roi-crs" : "--roi-layer") + " needs --roi");
      }
      return null;
    }
    try {
      org.diffris.output.RoiArgument area =
          org.diffris.output.RoiArgument.read(roi, roiCrs, roiLayer);
      org.diffris.pipeline.AreaOfInterest.of(area.geometry(), area.source());
      return area;
    } catch (org.diffris.pipeline.InvalidInputException e) {
      throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
    }
  }

  /**
   * Where a job writes.
   *
   * @param out the GeoParquet folder
   * @param failures the failures table's folder
   * @param gpkg a GeoPackage on the driver too, or null
   * @param resume finish the job that wrote {@code out} ({@link JobManifest})
   */
  record Outputs(String out, String failures, Path gpkg, boolean overwrite, boolean resume) {
    Outputs(String out, String failures, Path gpkg, boolean overwrite) {
      this(out, failures, gpkg, overwrite, false);
    }
  }

  /**
   * One run of the job: its id and start, its rasters as they were before it, its model, and
   * with {@code --resume} the manifest of the job it finishes and the rasters that job answered.
   */
  record Run(
      String id,
      Instant started,
      List<org.diffris.pipeline.RunManifest.Input> inputs,
      Map<String, Object> model,
      Map<?, ?> previous,
      Set<String> kept) {}

  /** As {@link #run(SparkSession, JobOptions, List, String, Outputs)} without a raster list. */
  static JobSummary run(
      SparkSession spark, JobOptions job, List<String> rasterPatterns, Outputs outputs)
      throws java.io.IOException {
    return run(spark, job, rasterPatterns, null, outputs);
  }

  /**
   * Runs a job on a session Sedona is registered with and writes its outputs: under temporary
   * names, moved into place together once all are complete; a failed or stopped job leaves none.
   *
   * @param rasterList a file naming rasters, one a line, or null
   * @throws IllegalArgumentException before any work, when an output exists without
   *     {@code overwrite} or is not this job's to replace, outputs collide with each other or an
   *     input, or a raster pattern matches nothing
   */
  static JobSummary run(
      SparkSession spark,
      JobOptions job,
      List<String> rasterPatterns,
      String rasterList,
      Outputs outputs)
      throws java.io.IOException {
    long start = System.nanoTime();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    org.apache.hadoop.conf.Configuration conf = jsc.hadoopConfiguration();
    List<String> patterns = new ArrayList<>(rasterPatterns);
    if (rasterList != null) {
      patterns.addAll(RasterFiles.readList(rasterList, conf));
    }
    List<String> sources = RasterFiles.list(patterns, conf);
    JobPlaces.check(
        sources,
        rasterList,
        job.model(),
        job.roi() == null ? null : job.roi().file(),
        outputs,
        conf);
    List<org.diffris.pipeline.RunManifest.Input> inputs = new ArrayList<>();
    for (String source : sources) {
      inputs.add(JobManifest.input(source, conf));
    }
    Map<String, Object> model = JobManifest.model(job);
    Map<?, ?> previous = null;
    Set<String> kept = Set.of();
    if (outputs.resume()) {
      previous = JobManifest.previous(outputs.out(), conf);
      JobManifest.requireSameJob(previous, job, model);
      kept = JobManifest.alreadyDone(previous, inputs);
    }
    Run run =
        new Run(
            org.diffris.pipeline.Provenance.newRunId(),
            Instant.now(),
            inputs,
            model,
            previous,
            kept);
    // Resuming rewrites the job's own outputs: the folders are checked as --overwrite checks them.
    boolean overwrite = outputs.overwrite() || outputs.resume();
    Path gpkg = outputs.gpkg();
    if (gpkg != null && Files.isDirectory(gpkg)) {
      throw new IllegalArgumentException("--gpkg " + gpkg + " is a folder, not a file");
    }
    if (gpkg != null && !overwrite && Files.exists(gpkg)) {
      throw new IllegalArgumentException(gpkg + " exists; give --overwrite to replace it");
    }
    JobStop.check();
    // Made now, so that an output that cannot be written stops the job before any work.
    try (OutputFolder answersFolder =
            new OutputFolder("--out", "answers", outputs.out(), overwrite, conf);
        OutputFolder failuresFolder =
            new OutputFolder("--failures", "failures", outputs.failures(), overwrite, conf);
        AtomicOutput gpkgFile = gpkg == null ? null : new AtomicOutput(gpkg, overwrite)) {
      try {
        JobSummary summary =
            run(
                spark,
                jsc,
                job,
                sources,
                outputs,
                answersFolder,
                failuresFolder,
                gpkgFile,
                start,
                run);
        JobStop.holdAt("writing");
        JobStop.commit(
            () -> {
              answersFolder.commit();
              failuresFolder.commit();
              if (gpkgFile != null) {
                gpkgFile.commit();
              }
            });
        return summary;
      } catch (Exception | Error e) {
        // A cancelled task may still be writing into a temporary folder: let it end first.
        JobStop.awaitNoRunningTasks(spark.sparkContext());
        throw e;
      }
    }
  }

  private static JobSummary run(
      SparkSession spark,
      JavaSparkContext jsc,
      JobOptions job,
      List<String> sources,
      Outputs outputs,
      OutputFolder answersFolder,
      OutputFolder failuresFolder,
      AtomicOutput gpkgFile,
      long start,
      Run run)
      throws java.io.IOException {
    String out = outputs.out();
    String failuresOut = outputs.failures();
    String runId = run.id();
    List<String> toRun = new ArrayList<>(sources);
    toRun.removeAll(run.kept());
    if (run.previous() != null) {
      log(
          "resuming: "
              + run.kept().size()
              + " rasters answered already, "
              + toRun.size()
              + " to run");
    }
    log("planning " + toRun.size() + " rasters");

    JobStop.check();
    List<RasterPlanning.Outcome> plans =
        toRun.isEmpty()
            ? List.of()
            : jsc.parallelize(toRun, toRun.size()).map(s -> RasterPlanning.plan(s, job)).collect();
    List<WindowTask> windows = new ArrayList<>();
    List<Row> failed = new ArrayList<>();
    double squareKilometres = 0;
    List<String> outsideRoi = new ArrayList<>();
    for (RasterPlanning.Outcome plan : plans) {
      if (plan.outsideRoi() != null) {
        outsideRoi.add(plan.outsideRoi());
        log(plan.source() + ": passed over: " + plan.outsideRoi());
      } else if (plan.failure() != null) {
        failed.add(RowFactory.create(plan.source(), "plan", plan.failure()));
      } else {
        windows.addAll(plan.windows());
        squareKilometres += plan.squareKilometres();
        plan.warnings().forEach(w -> log(plan.source() + ": " + w));
      }
    }

    if (!plans.isEmpty() && outsideRoi.size() == plans.size()) {
      throw new IllegalArgumentException(
          "the roi overlaps none of the "
              + plans.size()
              + " rasters; "
              + outsideRoi.get(0)
              + (plans.size() > 1 ? " (the first raster's message)" : ""));
    }

    JobStop.check();
    log("running " + windows.size() + " windows");
    JavaRDD<WindowRunning.Outcome> ran =
        jsc.parallelize(windows, Math.max(1, Math.min(windows.size(), 100_000)))
            .map(w -> WindowRunning.run(w, job, runId))
            .persist(StorageLevel.MEMORY_AND_DISK());
    WindowProgress progress = WindowProgress.start(jsc, windows.size());
    List<WindowStats> stats;
    try {
      stats =
          ran.map(
                  o ->
                      new WindowStats(
                          o.source(),
                          o.tiles(),
                          o.tilesSkipped(),
                          o.modelMillis(),
                          o.readingMillis(),
                          o.vectorizingMillis(),
                          o.provider(),
                          o.wallMillis(),
                          o.executor(),
                          o.failure(),
                          o.pieces().size()))
              .collect();
    } finally {
      progress.stop();
    }
    JobStop.check();
    for (WindowStats s : stats) {
      if (s.failure() != null) {
        failed.add(RowFactory.create(s.source(), "window", s.failure()));
      }
    }

    JavaRDD<PieceMerging.Outcome> merged =
        ran.filter(o -> o.failure() == null)
            .flatMap(o -> o.pieces().iterator())
            .groupBy(PieceRecord::group)
            .map(g -> PieceMerging.merge(g._2(), job, runId))
            .persist(StorageLevel.MEMORY_AND_DISK());
    log("merging the objects windows cut");
    for (PieceMerging.Outcome m : merged.filter(m -> m.failure() != null).collect()) {
      failed.add(RowFactory.create(m.source(), "merge", m.failure()));
    }

    Set<String> failedSources = new HashSet<>();
    for (Row r : failed) {
      failedSources.add(r.getString(0));
      log("failed: " + r.getString(0) + " (" + r.getString(1) + "): " + r.getString(2));
    }
    Broadcast<Set<String>> skip = jsc.broadcast(Collections.unmodifiableSet(failedSources));
    JavaRDD<Row> features =
        ran.filter(o -> o.failure() == null && !skip.value().contains(o.source()))
            .flatMap(o -> o.features().iterator())
            .union(
                merged
                    .filter(m -> m.failure() == null && !skip.value().contains(m.source()))
                    .flatMap(m -> m.features().iterator()));

    Dataset<Row> answers = spark.createDataFrame(features, FeatureRows.schema()).persist();
    long polygons = answers.count();
    long mergedObjects =
        merged
            .filter(m -> m.failure() == null && !skip.value().contains(m.source()))
            .map(m -> (long) m.features().size())
            .fold(0L, Long::sum);
    log("writing " + polygons + " polygons to " + out);
    List<String> columns = new ArrayList<>();
    columns.add("ST_GeomFromWKB(" + FeatureRows.LON_LAT_WKB + ") AS geometry");
    for (String name : answers.columns()) {
      if (!name.equals(FeatureRows.LON_LAT_WKB)) {
        columns.add(name);
      }
    }
    JobStop.check();
    Dataset<Row> layer = answers.selectExpr(columns.toArray(new String[0]));
    if (!run.kept().isEmpty()) {
      // The rasters an earlier run answered keep their rows, read from the folder being replaced.
      layer =
          layer.unionByName(
              spark
                  .read()
                  .format("geoparquet")
                  .load(out)
                  .where(
                      org.apache
                          .spark
                          .sql
                          .functions
                          .col(FeatureRows.SOURCE_PATH)
                          .isin(run.kept().toArray()))
                  .selectExpr(layer.columns()));
      polygons = layer.count();
    }
    layer
        .write()
        .format("geoparquet")
        // No crs member: GeoParquet's default, OGC:CRS84. Unset, Sedona 1.8.0 writes "crs": null
        // (unknown); a PROJJSON value it rewrites with camel-cased keys that readers reject.
        .option("geoparquet.crs", "")
        .mode(SaveMode.ErrorIfExists)
        .save(answersFolder.temporary());
    answersFolder.mark();
    spark
        .createDataFrame(failed, failuresSchema())
        .coalesce(1)
        .write()
        .mode(SaveMode.ErrorIfExists)
        .parquet(failuresFolder.temporary());
    failuresFolder.mark();
    if (gpkgFile != null) {
      log("writing " + polygons + " polygons to " + outputs.gpkg());
      AnswersGeoPackage.write(layer, gpkgFile.temporary(), outputs.gpkg());
    }
    double wallMillis = (System.nanoTime() - start) / 1e6;
    answersFolder.write(
        OutputFolder.MANIFEST,
        JobManifest.of(
                job,
                outputs,
                run,
                new JobManifest.Work(plans, stats, failed, windows.size(), squareKilometres),
                layer,
                polygons,
                wallMillis)
            .json());
    answers.unpersist();
    ran.unpersist();
    merged.unpersist();

    return new JobSummary(
        sources.size(),
        failedSources.size(),
        windows.size(),
        squareKilometres,
        polygons,
        mergedObjects,
        stats,
        (System.nanoTime() - start) / 1e6,
        spark.sparkContext().defaultParallelism(),
        out,
        failuresOut);
  }

  static StructType failuresSchema() {
    return DataTypes.createStructType(
        List.of(
            DataTypes.createStructField("source", DataTypes.StringType, false),
            DataTypes.createStructField("stage", DataTypes.StringType, false),
            DataTypes.createStructField("reason", DataTypes.StringType, false)));
  }

  private static void log(String line) {
    PrintStream err = System.err;
    err.println("diffris-spark: " + line);
  }

  /** What one window cost, for the summary and the manifest. */
  record WindowStats(
      String source,
      long tiles,
      long tilesSkipped,
      double modelMillis,
      double readingMillis,
      double vectorizingMillis,
      String provider,
      double wallMillis,
      String executor,
      String failure,
      int pieces)
      implements java.io.Serializable {}
}
