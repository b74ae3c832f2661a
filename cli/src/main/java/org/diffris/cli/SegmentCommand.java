package org.diffris.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.diffris.cli.io.ProbabilityTiff;
import org.diffris.cli.io.RegionWriter;
import org.diffris.cli.segment.EstimateReport;
import org.diffris.cli.segment.ModelOpening;
import org.diffris.cli.segment.PreviewRenderer;
import org.diffris.cli.segment.ProgressBar;
import org.diffris.geotools.GeoTiffRaster;
import org.diffris.output.AtomicOutput;
import org.diffris.output.RoiArgument;
import org.diffris.pipeline.AreaOfInterest;
import org.diffris.pipeline.InvalidInputException;
import org.diffris.pipeline.InvalidOptionException;
import org.diffris.pipeline.PixelLimitException;
import org.diffris.pipeline.Provenance;
import org.diffris.pipeline.RasterInput;
import org.diffris.pipeline.RunEstimate;
import org.diffris.pipeline.RunManifest;
import org.diffris.pipeline.SegmentOptions;
import org.diffris.pipeline.SegmentationPlan;
import org.diffris.pipeline.SegmentationSummary;
import org.diffris.pipeline.Segmenter;
import org.diffris.pipeline.TileCostCache;
import org.diffris.runtime.ModelBundle;
import org.diffris.runtime.onnx.ExecutionProvider;
import org.diffris.runtime.onnx.ProviderReport;
import org.diffris.runtime.onnx.ProviderUnavailableException;
import org.diffris.runtime.onnx.SessionSettings;
import org.diffris.vectorizer.PixelBounds;
import org.diffris.vectorizer.VectorizedRegion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code diffris segment}: a GeoTIFF and a query in words to the polygons of what the query names,
 * through the shared pipeline ({@link Segmenter}).
 *
 * <p>Streams: GeoTIFF strips, tiled inference with blended probabilities, each final row band
 * straight into the vectorizer, each finished polygon straight into the output file. Memory does
 * not grow with the raster except for {@code --probabilities} (4 bytes a pixel), {@code --preview}
 * (the outlines) and {@code --simplify} (every polygon at once).
 *
 * <p>Exit status: 0 on success; 1 when a file is the problem (raster, model bundle, output) or
 * the requested device cannot run; 2 when an option is invalid; 3 on an internal error. On any
 * failure no output file is created or changed.
 */
@Command(
    name = "segment",
    mixinStandardHelpOptions = true,
    description = {
      "Finds what a query in words names in a raster (GeoTIFF) and writes it as georeferenced "
          + "polygons with attributes query, score (mean probability inside), area (square "
          + "metres), pixels, model, at_edge (within one tile of the raster's edge), source (the"
          + " raster's file name) and run_id (one id a run).",
      "Also writes the run's manifest beside the output (out.gpkg: out.run.json).",
      "Last line on stdout: polygons=... at_edge=... tiles=... provider=... model_ms=... total_ms=..."
          + " km2=... km2_per_s=... run_id=..."
    })
public final class SegmentCommand implements Callable<Integer> {
  /** The pipeline's option names as this command spells them. */
  private static final Map<String, String> FLAGS =
      Map.of(
          "query",
          "--query",
          "threshold",
          "--threshold",
          "bands",
          "--bands",
          "tileSize",
          "--tile",
          "overlap",
          "--overlap",
          "batchSize",
          "--batch",
          "simplify",
          "--simplify",
          "minArea",
          "--min-area",
          "scale",
          "--scale",
          "maxPixels",
          "--max-pixels");

  @Spec CommandSpec spec;

  @Option(
      names = "--raster",
      required = true,
      paramLabel = "R.tif",
      description =
          "GeoTIFF image, any CRS, any sample type (see --scale); red, green, blue and alpha"
              + " bands are found from the file's colour interpretation.")
  Path raster;

  @Option(
      names = "--query",
      required = true,
      paramLabel = "TEXT",
      description = "What to find, in words (\"white storage tanks\").")
  String query;

  @Mixin OutputOptions output;

  @Mixin ModelOptions modelOptions;

  @Mixin RoiOptions roiOptions;

  @Option(
      names = "--threshold",
      paramLabel = "T",
      description =
          "Probability from which a pixel is part of the answer, 0 < T < 1 "
              + "(default: the model's).")
  Double threshold;

  @Option(
      names = "--tile",
      paramLabel = "PX",
      description = "Tile side in model pixels (default: the model's).")
  Integer tile;

  @Option(
      names = "--overlap",
      paramLabel = "PX",
      description = "Overlap between tiles in model pixels, blended (default: the model's).")
  Integer overlap;

  @Option(
      names = "--batch",
      defaultValue = "4",
      paramLabel = "N",
      description = "Tiles per model call (default 4).")
  int batch;

  @Option(
      names = "--bands",
      paramLabel = "1,2,3",
      description =
          "Raster bands fed to the model as its channels, from 1 (default: the bands the raster"
              + " says are red, green, blue, else the first bands that are not alpha).")
  String bands;

  @Option(
      names = "--scale",
      paramLabel = "RULE",
      description =
          "How raw values reach the model: auto (default: 8-bit as trained, other integers by"
              + " their bit depth, float 0-1 as is, other float by joint 2-98%% percentiles),"
              + " bundle, bits:N, range:LOW,HIGH or percentile:P1,P2[,joint|per-band].")
  String scale;

  @Option(
      names = "--probabilities",
      paramLabel = "P.tif",
      description =
          "Also write the blended probabilities as a float32 GeoTIFF on the raster's "
              + "grid (holds 4 bytes a pixel in memory).")
  Path probabilities;

  @Option(
      names = "--preview",
      paramLabel = "P.png",
      description =
          "Also write a PNG of the raster (at most "
              + PreviewRenderer.MAX_SIDE
              + " px a side) with the polygon outlines drawn over it.")
  Path preview;

  @Option(
      names = "--simplify",
      paramLabel = "TOL",
      description = "Simplify outlines with this tolerance, in CRS units (metres, degrees).")
  Double simplify;

  @Option(
      names = "--min-area",
      paramLabel = "M2",
      description = "Drop polygons smaller than this many square metres.")
  Double minArea;

  @Option(
      names = "--max-pixels",
      paramLabel = "N",
      description =
          "Refuse a raster of more than N pixels, counted on the raster and on the model's grid,"
              + " before reading it (default: no limit; the WPS process's diffris.maxPixels).")
  Long maxPixels;

  /** How the tiles' progress reaches stderr. */
  enum Progress {
    auto,
    lines,
    none
  }

  @Option(
      names = "--source-name",
      paramLabel = "NAME",
      description =
          "The name each polygon's source attribute carries (default: the raster's file name),"
              + " for a raster that is a copy of another (QGIS writes one for a layer that is not"
              + " a GeoTIFF).")
  String sourceName;

  @Option(
      names = "--progress",
      defaultValue = "auto",
      paramLabel = "auto|lines|none",
      description =
          "Progress on stderr: auto (default: a bar when stderr is a terminal), lines (one"
              + " 'progress: DONE/TOTAL tiles' line per update, for programs that run this"
              + " command) or none.")
  Progress progress;

  @Option(
      names = "--dry-run",
      description =
          "Print the estimate (raster and model-grid sizes, tiles, Java heap, ONNX Runtime's native"
              + " memory, time) without running the job, and write nothing. The first estimate of a"
              + " model, tile and batch measures a few blank tiles; real runs refine it.")
  boolean dryRun;

  @Option(
      names = "--json",
      description = "With --dry-run: the estimate as one JSON object on stdout, nothing else.")
  boolean json;

  @Override
  public Integer call() {
    SegmentOptions.Builder options = options();
    ExecutionProvider provider = modelOptions.provider(spec);
    try {
      checkFiles();
      // Read and its CRS checked before the model loads: a bad roi costs nothing.
      RoiArgument roi = roiOptions.read(outputs());
      ModelBundle bundle = openBundle(modelOptions.bundleLocation());
      // ONNX Runtime sessions load while the raster opens: both take seconds.
      try (ModelOpening opening = new ModelOpening(bundle, SessionSettings.of(provider));
          GeoTiffRaster image =
              probabilities != null
                  ? GeoTiffRaster.openWithGeoTools(raster)
                  : GeoTiffRaster.open(raster);
          Segmenter segmenter = take(opening, bundle)) {
        RasterInput input = image.input();
        AreaOfInterest.Crop crop = RoiOptions.apply(roi, image, input, options);
        AtomicReference<RunEstimate> estimate = new AtomicReference<>();
        SegmentationPlan plan = segmenter.plan(crop.input(), options.build(), estimate::set);
        for (String warning : plan.warnings()) {
          CommandFailures.warn(spec, warning);
        }
        TileCostCache costs = TileCostCache.forUser(w -> CommandFailures.warn(spec, w));
        PrintWriter stdout = spec.commandLine().getOut();
        if (dryRun) {
          RunEstimate costed = estimate.get().withCost(costs.costFor(segmenter, estimate.get()));
          EstimateReport.print(stdout, costed, segmenter, json);
          return 0;
        }
        stdout.println("model: " + segmenter.label() + " (" + segmenter.location() + ")");
        stdout.println("execution provider: " + segmenter.provider());
        stdout.println(
            "values: bands "
                + bandList(plan.bands())
                + ", scale "
                + plan.scaling().rule()
                + " ("
                + plan.scaling().reason()
                + ")");
        if (roi != null) {
          stdout.println("roi: " + roi.source() + ", " + describe(crop.window()) + " read");
        }
        stdout.flush();
        Run run = new Run(Provenance.newRunId(), Instant.now());
        SegmentationSummary summary = write(image, input, crop.window(), plan, segmenter, run);
        costs.recordRun(segmenter, estimate.get(), summary);
        report(stdout, summary, segmenter.provider(), image, plan, run);
        return 0;
      }
    } catch (InvalidOptionException e) {
      throw CommandFailures.usage(spec, e.messageFor(FLAGS.getOrDefault(e.option(), e.option())));
    } catch (PixelLimitException e) {
      return CommandFailures.fail(spec, e.getMessage() + " (--max-pixels)");
    } catch (InputException | InvalidInputException e) {
      return CommandFailures.fail(spec, e.getMessage());
    } catch (ProviderUnavailableException e) {
      return CommandFailures.fail(spec, "--device " + modelOptions.device + ": " + e.getMessage());
    } catch (IOException e) {
      return CommandFailures.fail(spec, "cannot segment " + raster + ": " + oneLine(e));
    }
  }

  /**
   * One run's identity and its figures for the summary line.
   *
   * @param id the run id every polygon and the manifest carry
   */
  private static final class Run {
    final String id;
    final Instant started;
    long totalMs;
    double squareKilometres;

    Run(String id, Instant started) {
      this.id = id;
      this.started = started;
    }
  }

  /**
   * Runs the plan into the outputs; each file is moved into place only when all are complete,
   * the run manifest last, so that it never stands without them.
   */
  private SegmentationSummary write(
      GeoTiffRaster image,
      RasterInput input,
      PixelBounds window,
      SegmentationPlan plan,
      Segmenter segmenter,
      Run run)
      throws IOException {
    // Before the run: the raster as it was read.
    RunManifest.Input rasterFile = RunManifestFile.input("raster", raster);
    Provenance provenance =
        new Provenance(
            sourceName != null ? sourceName : Provenance.sourceName(raster.toString()), run.id);
    PrintWriter err = spec.commandLine().getErr();
    ProgressBar bar =
        switch (progress) {
          case lines -> ProgressBar.lines(err);
          case none -> ProgressBar.quiet();
          case auto -> ProgressBar.forTerminal(err, System.console() != null);
        };
    try (AtomicOutput out = new AtomicOutput(output.out, output.overwrite);
        AtomicOutput probabilityFile = optional(probabilities);
        AtomicOutput previewFile = optional(preview);
        AtomicOutput manifestFile =
            new AtomicOutput(RunManifestFile.beside(output.out), output.overwrite);
        RegionWriter writer =
            output.writer(out.temporary(), image, plan.outputSchema(provenance), false)) {
      ProbabilityTiff tiff =
          probabilities == null ? null : new ProbabilityTiff(image.width(), image.height());
      PreviewRenderer renderer =
          preview == null
              ? null
              : new PreviewRenderer(image.width(), image.height(), image.pixelToWorld());
      SegmentationSummary summary;
      try {
        summary =
            plan.run(
                (VectorizedRegion region) -> {
                  writer.accept(region);
                  if (renderer != null) {
                    renderer.add(region.geometry());
                  }
                },
                tiff == null ? null : tiff.at(window.minColumn(), window.minRow()),
                bar,
                () -> false);
      } finally {
        bar.finish();
      }
      writer.finish();
      if (tiff != null) {
        tiff.write(probabilityFile.temporary(), image.gridGeometry());
      }
      if (renderer != null) {
        renderer.write(
            previewFile.temporary(),
            input.source(),
            plan.bands(),
            plan.scaling().low(),
            plan.scaling().high());
      }
      run.totalMs =
          System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
      run.squareKilometres = plan.squareKilometres();
      List<String> written = new ArrayList<>();
      for (Path file : Arrays.asList(output.out, probabilities, preview)) {
        if (file != null) {
          written.add(file.toAbsolutePath().normalize().toString());
        }
      }
      RunManifestFile.write(
          manifestFile.temporary(),
          new RunManifest("diffris segment", run.id, run.started)
              .model(segmenter)
              .options(plan)
              .inputs(List.of(rasterFile))
              .outputs(written)
              .result(summary, plan.warnings(), run.squareKilometres, run.totalMs));
      for (AtomicOutput file : Arrays.asList(out, probabilityFile, previewFile, manifestFile)) {
        if (file != null) {
          file.commit();
        }
      }
      return summary;
    }
  }

  private AtomicOutput optional(Path file) throws IOException {
    return file == null ? null : new AtomicOutput(file, output.overwrite);
  }

  /** 0-based bands as the user counts them: {@code 3,2,1}. */
  private static String bandList(int[] bands) {
    StringBuilder text = new StringBuilder();
    for (int b : bands) {
      text.append(text.length() == 0 ? "" : ",").append(b + 1);
    }
    return text.toString();
  }

  private void report(
      PrintWriter stdout,
      SegmentationSummary s,
      ProviderReport provider,
      GeoTiffRaster image,
      SegmentationPlan plan,
      Run run) {
    stdout.println("run manifest: " + RunManifestFile.beside(output.out));
    stdout.println(
        String.format(
            Locale.ROOT,
            "polygons=%d at_edge=%d tiles=%d tiles_skipped=%d provider=%s model_ms=%.0f"
                + " inference_ms=%.0f "
                + "resample=%.4g bands=%s scale=%s area_m2=%.2f crs=%s threshold=%s out=%s"
                + " total_ms=%d km2=%.4f km2_per_s=%.4f run_id=%s",
            s.regions(),
            s.regionsAtEdge(),
            s.inference().tiles(),
            s.inference().tilesSkipped(),
            providerKey(provider),
            s.inference().modelMillis(),
            s.inference().totalMillis(),
            s.inference().resampleFactor(),
            bandList(plan.bands()),
            plan.scaling().rule(),
            s.areaSquareMetres(),
            image.spatialReference().label(),
            s.threshold(),
            output.out,
            run.totalMs,
            run.squareKilometres,
            RunManifest.squareKilometresPerSecond(run.squareKilometres, run.totalMs),
            run.id));
    stdout.flush();
  }

  /** "columns 10-150, rows 19-100". */
  private static String describe(PixelBounds b) {
    return "columns "
        + b.minColumn()
        + "-"
        + b.maxColumn()
        + ", rows "
        + b.minRow()
        + "-"
        + b.maxRow();
  }

  /** Option values that make no sense whatever the files are: exit status 2. */
  private SegmentOptions.Builder options() {
    output.format(spec);
    if (json && !dryRun) {
      throw CommandFailures.usage(spec, "--json goes with --dry-run (the estimate as JSON)");
    }
    if (sourceName != null && sourceName.isBlank()) {
      throw CommandFailures.usage(spec, "--source-name must not be empty");
    }
    if (probabilities != null && !hasExtension(probabilities, ".tif", ".tiff")) {
      throw CommandFailures.usage(
          spec, "--probabilities must name a .tif file, got " + probabilities.getFileName());
    }
    if (preview != null && !hasExtension(preview, ".png")) {
      throw CommandFailures.usage(
          spec, "--preview must name a .png file, got " + preview.getFileName());
    }
    try {
      SegmentOptions.Builder builder =
          SegmentOptions.builder(query)
              .threshold(threshold)
              .bands(bands)
              .scale(scale)
              .tileSize(tile)
              .overlap(overlap)
              .batchSize(batch)
              .simplify(simplify)
              .minArea(minArea);
      if (maxPixels != null) {
        builder.maxPixels(maxPixels);
      }
      builder.build(); // checked now; the roi joins it once the raster is open
      return builder;
    } catch (InvalidOptionException e) {
      throw CommandFailures.usage(spec, e.messageFor(FLAGS.getOrDefault(e.option(), e.option())));
    }
  }

  /** The input exists and every output can be written, as a file of its own. */
  private void checkFiles() throws InputException {
    InputFiles.requireReadable(raster, "raster");
    output.checkFiles(raster, "--raster", outputs());
  }

  /** The files this run writes, by option (null where not asked for). */
  private Map<String, Path> outputs() {
    Map<String, Path> outputs = new LinkedHashMap<>();
    outputs.put("--out", output.out);
    outputs.put("--probabilities", probabilities);
    outputs.put("--preview", preview);
    outputs.put("--out's run manifest", RunManifestFile.beside(output.out));
    return outputs;
  }

  private static ModelBundle openBundle(Path path) throws InputException {
    if (!Files.exists(path)) {
      throw new InputException("model bundle not found: " + path);
    }
    try {
      return ModelBundle.open(path);
    } catch (IOException | RuntimeException e) {
      throw new InputException("model bundle " + path + " is not usable: " + oneLine(e), e);
    }
  }

  private static Segmenter take(ModelOpening opening, ModelBundle bundle) throws InputException {
    try {
      return opening.take();
    } catch (IOException e) {
      throw new InputException(
          "model bundle " + bundle.location() + " is not usable: " + oneLine(e), e);
    }
  }

  private static boolean hasExtension(Path file, String... extensions) {
    String name =
        file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
    return Arrays.stream(extensions).anyMatch(name::endsWith);
  }

  /** The provider as one token for the summary line: CPU, CUDA:0. */
  static String providerKey(ProviderReport report) {
    return report.isCuda() ? "CUDA:" + report.deviceId() : report.name();
  }

  static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
