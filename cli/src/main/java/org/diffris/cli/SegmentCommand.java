package org.diffris.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.diffris.cli.VectorizeCommand.OutputFormat;
import org.diffris.cli.io.AtomicOutput;
import org.diffris.cli.io.GeoJsonWriter;
import org.diffris.cli.io.GeoPackageWriter;
import org.diffris.cli.io.GeoTiffMask;
import org.diffris.cli.io.GeoTiffRasterSource;
import org.diffris.cli.io.ProbabilityTiff;
import org.diffris.cli.io.RegionWriter;
import org.diffris.cli.io.SpatialReference;
import org.diffris.cli.segment.PreviewRenderer;
import org.diffris.cli.segment.ProgressBar;
import org.diffris.runtime.DiffrisModel;
import org.diffris.runtime.ModelBundle;
import org.diffris.runtime.ModelDescription;
import org.diffris.runtime.onnx.ExecutionProvider;
import org.diffris.runtime.onnx.ProviderReport;
import org.diffris.runtime.onnx.ProviderUnavailableException;
import org.diffris.runtime.onnx.SessionSettings;
import org.diffris.runtime.tiling.InferenceSummary;
import org.diffris.runtime.tiling.PixelScaling;
import org.diffris.runtime.tiling.RasterStatistics;
import org.diffris.runtime.tiling.TiledSegmenter;
import org.diffris.vectorizer.AreaModel;
import org.diffris.vectorizer.GroundSampleDistance;
import org.diffris.vectorizer.MaskBand;
import org.diffris.vectorizer.MaskVectorizer;
import org.diffris.vectorizer.VectorizedRegion;
import org.diffris.vectorizer.VectorizerOptions;
import org.locationtech.jts.geom.GeometryFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code diffris segment}: a GeoTIFF and a query in words to the polygons of what the query names.
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
            + "polygons with attributes query, score (mean probability inside), area_m2, model.",
        "Last line on stdout: polygons=... tiles=... provider=... model_ms=... total_ms=..."})
public final class SegmentCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--raster", required = true, paramLabel = "R.tif",
      description = "GeoTIFF image: 8-bit (scaled as the model was trained) or 16-bit/float "
          + "(stretched from whole-raster 2-98 % percentiles); any CRS.")
  Path raster;

  @Option(names = "--query", required = true, paramLabel = "TEXT",
      description = "What to find, in words (\"white storage tanks\").")
  String query;

  @Option(names = "--out", required = true, paramLabel = "OUT.gpkg|OUT.geojson",
      description = "Output: .gpkg (in the raster's CRS) or .geojson (RFC 7946, WGS84 lon/lat).")
  Path out;

  @Mixin ModelOptions modelOptions;

  @Option(names = "--threshold", paramLabel = "T",
      description = "Probability from which a pixel is part of the answer, 0 < T < 1 "
          + "(default: the model's).")
  Double threshold;

  @Option(names = "--tile", paramLabel = "PX",
      description = "Tile side in model pixels (default: the model's).")
  Integer tile;

  @Option(names = "--overlap", paramLabel = "PX",
      description = "Overlap between tiles in model pixels, blended (default: the model's).")
  Integer overlap;

  @Option(names = "--batch", defaultValue = "4", paramLabel = "N",
      description = "Tiles per model call (default 4).")
  int batch;

  @Option(names = "--bands", paramLabel = "1,2,3",
      description = "Raster bands fed to the model as its channels, from 1 (default 1,2,3).")
  String bands;

  @Option(names = "--probabilities", paramLabel = "P.tif",
      description = "Also write the blended probabilities as a float32 GeoTIFF on the raster's "
          + "grid (holds 4 bytes a pixel in memory).")
  Path probabilities;

  @Option(names = "--preview", paramLabel = "P.png",
      description = "Also write a PNG of the raster (at most " + PreviewRenderer.MAX_SIDE
          + " px a side) with the polygon outlines drawn over it.")
  Path preview;

  @Option(names = "--simplify", paramLabel = "TOL",
      description = "Simplify outlines with this tolerance, in CRS units (metres, degrees).")
  Double simplify;

  @Option(names = "--min-area", paramLabel = "M2",
      description = "Drop polygons smaller than this many square metres.")
  Double minArea;

  @Option(names = "--overwrite", description = "Replace existing output files.")
  boolean overwrite;

  @Override
  public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    OutputFormat format = checkOptions();
    int[] bandIndexes = parseBands();
    ExecutionProvider provider = modelOptions.provider(spec);
    try {
      if (!Files.isRegularFile(raster)) {
        throw new InputException("raster not found: " + raster);
      }
      checkOutput(out);
      if (probabilities != null) {
        checkOutput(probabilities);
      }
      if (preview != null) {
        checkOutput(preview);
      }
      if (List.of(out, probabilities == null ? out : probabilities, preview == null ? out
          : preview).stream().map(p -> p.toAbsolutePath().normalize()).distinct().count()
          < 1 + (probabilities != null ? 1 : 0) + (preview != null ? 1 : 0)) {
        throw new InputException("--out, --probabilities and --preview must be different files");
      }
      Path bundlePath = modelOptions.bundleLocation();
      ModelBundle bundle = openBundle(bundlePath);
      Result result = run(format, bundle, bandIndexes, provider, stdout);
      long totalMs = System.currentTimeMillis()
          - ManagementFactory.getRuntimeMXBean().getStartTime();
      InferenceSummary s = result.inference;
      stdout.println(String.format(Locale.ROOT,
          "polygons=%d tiles=%d tiles_skipped=%d provider=%s model_ms=%.0f inference_ms=%.0f "
              + "resample=%.4g area_m2=%.2f crs=%s threshold=%s out=%s total_ms=%d",
          result.polygons, s.tiles(), s.tilesSkipped(), providerKey(result.provider),
          s.modelMillis(), s.totalMillis(), s.resampleFactor(), result.areaSquareMetres,
          result.crs, result.threshold, out, totalMs));
      stdout.flush();
      return 0;
    } catch (InputException e) {
      return CommandFailures.fail(spec, e.getMessage());
    } catch (ProviderUnavailableException e) {
      return CommandFailures.fail(spec, "--device " + modelOptions.device + ": " + e.getMessage());
    }
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

  private Result run(OutputFormat format, ModelBundle bundle, int[] bandIndexes,
      ExecutionProvider provider, PrintWriter stdout) throws InputException {
    ModelDescription description = bundle.description();
    double cut = threshold != null ? threshold : description.threshold();
    if (bandIndexes == null) {
      bandIndexes = new int[description.image().channels()];
      for (int i = 0; i < bandIndexes.length; i++) {
        bandIndexes[i] = i;
      }
    }
    if (bandIndexes.length != description.image().channels()) {
      throw CommandFailures.usage(spec, "--bands lists " + bandIndexes.length + " bands, the model takes "
          + description.image().channels());
    }
    String modelLabel = description.name() + " " + description.version();
    // ONNX Runtime sessions load while GeoTools opens the raster: both take seconds.
    ModelOpening opening = new ModelOpening(bundle, provider);
    // Without --probabilities (which writes through GeoTools' coverage API) a plain north-up
    // GeoTIFF in a common CRS is read without loading GeoTools' referencing at all.
    try (opening; GeoTiffMask image = probabilities != null ? GeoTiffMask.open(raster, 1)
        : GeoTiffMask.openForVectorizing(raster, 1)) {
      for (int b : bandIndexes) {
        if (b >= image.bandCount()) {
          throw new InputException("band " + (b + 1) + " requested, raster has "
              + image.bandCount() + (image.bandCount() == 1 ? " band" : " bands") + ": " + raster);
        }
      }
      SpatialReference srs = image.spatialReference();
      AreaModel areaModel = image.areaModel();
      double gsd = GroundSampleDistance.metres(image.pixelToWorld(), image.width(),
          image.height(), areaModel);
      GeoTiffRasterSource source = new GeoTiffRasterSource(image);
      boolean eightBit = image.dataType() == java.awt.image.DataBuffer.TYPE_BYTE;
      double[][] limits;
      PixelScaling scaling;
      if (eightBit) {
        limits = new double[2][bandIndexes.length];
        Arrays.fill(limits[1], 255);
        scaling = PixelScaling.fromBundle(description);
      } else {
        try {
          limits = RasterStatistics.percentiles(source, bandIndexes, 2, 98);
        } catch (IOException e) {
          throw new InputException("cannot read " + raster + ": " + oneLine(e), e);
        }
        scaling = PixelScaling.stretch(limits[0], limits[1], description);
      }
      VectorizerOptions.Builder options = VectorizerOptions.builder()
          .threshold(cut).areaModel(areaModel);
      if (simplify != null) {
        options.simplifyTolerance(simplify);
      }
      if (minArea != null) {
        options.minAreaSquareMetres(minArea);
      }
      ProgressBar bar = ProgressBar.forTerminal(spec.commandLine().getErr(),
          System.console() != null);
      TiledSegmenter.Builder tiling = TiledSegmenter.forModel(description).bands(bandIndexes)
          .scaling(scaling).rasterGsd(gsd).batchSize(batch).progress(bar);
      if (tile != null) {
        tiling.tileSize(tile);
      }
      if (overlap != null) {
        tiling.overlap(overlap);
      }
      TiledSegmenter tiler;
      try {
        tiler = tiling.build();
      } catch (IllegalArgumentException e) {
        throw CommandFailures.usage(spec, e.getMessage());
      }
      try (DiffrisModel session = opening.take();
          AtomicOutput output = new AtomicOutput(out, overwrite);
          AtomicOutput probabilityOutput = probabilities == null ? null
              : new AtomicOutput(probabilities, overwrite);
          AtomicOutput previewOutput = preview == null ? null
              : new AtomicOutput(preview, overwrite)) {
        stdout.println("model: " + modelLabel + " (" + bundle.location() + ")");
        stdout.println("execution provider: " + session.provider());
        stdout.flush();
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("query", query);
        labels.put("model", modelLabel);
        Result result = new Result(session.provider(), srs.label(), cut);
        ProbabilityTiff probabilityTiff = probabilities == null ? null
            : new ProbabilityTiff(image.width(), image.height());
        PreviewRenderer renderer = preview == null ? null
            : new PreviewRenderer(image.width(), image.height(), image.pixelToWorld());
        try (RegionWriter writer = format == OutputFormat.GEOJSON
            ? new GeoJsonWriter(output.temporary(), image.crs(), "score", labels)
            : new GeoPackageWriter(output.temporary(), VectorizeCommand.layerName(out), srs,
                false, "score", labels)) {
          Consumer<VectorizedRegion> write = region -> {
            try {
              writer.write(region);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            result.add(region);
            if (renderer != null) {
              renderer.add(region.geometry());
            }
          };
          boolean streaming = simplify == null || simplify == 0;
          MaskVectorizer vectorizer = streaming
              ? new MaskVectorizer(image.width(), image.height(), image.pixelToWorld(),
                  options.build(), new GeometryFactory(), write)
              : new MaskVectorizer(image.width(), image.height(), image.pixelToWorld(),
                  options.build(), new GeometryFactory());
          try {
            result.inference = tiler.run(source, session.forQuery(query),
                (firstRow, height, p, valid) -> {
                  if (probabilityTiff != null) {
                    probabilityTiff.put(firstRow, height, p, valid);
                  }
                  vectorizer.accept(MaskBand.probabilities(firstRow, image.width(), height, p,
                      valid));
                });
          } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage() + ": " + raster, e);
          } finally {
            bar.finish();
          }
          vectorizer.finish().forEach(write);
          writer.finish();
        } catch (UncheckedIOException e) {
          throw e.getCause();
        }
        if (probabilityTiff != null) {
          probabilityTiff.write(probabilityOutput.temporary(), image.gridGeometry());
        }
        if (renderer != null) {
          renderer.write(previewOutput.temporary(), source, bandIndexes, limits[0], limits[1]);
        }
        // Moved into place only when every file is complete.
        output.commit();
        if (probabilityOutput != null) {
          probabilityOutput.commit();
        }
        if (previewOutput != null) {
          previewOutput.commit();
        }
        return result;
      } catch (IOException e) {
        throw new InputException("cannot segment " + raster + ": " + oneLine(e), e);
      }
    }
  }

  /**
   * A model being opened on a background thread. {@link #take} hands it over (the caller closes
   * it); {@link #close} closes it when it was never taken, so no session outlives a failed run.
   */
  private static final class ModelOpening implements AutoCloseable {
    private final ModelBundle bundle;
    private final java.util.concurrent.CompletableFuture<DiffrisModel> future;
    private boolean taken;

    ModelOpening(ModelBundle bundle, ExecutionProvider provider) {
      this.bundle = bundle;
      this.future = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return DiffrisModel.open(bundle, SessionSettings.of(provider));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }

    DiffrisModel take() throws InputException {
      try {
        DiffrisModel model = future.join();
        taken = true;
        return model;
      } catch (java.util.concurrent.CompletionException e) {
        Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause()
            : e.getCause();
        if (cause instanceof ProviderUnavailableException p) {
          throw p;
        }
        if (cause instanceof IOException io) {
          throw new InputException("model bundle " + bundle.location() + " is not usable: "
              + oneLine(io), io);
        }
        throw e;
      }
    }

    @Override
    public void close() {
      if (!taken) {
        try {
          future.join().close();
        } catch (RuntimeException e) {
          // it failed to open: nothing to close
        }
      }
    }
  }

  /** The provider as one token for the summary line: CPU, CUDA:0. */
  static String providerKey(ProviderReport report) {
    return report.isCuda() ? "CUDA:" + report.deviceId() : report.name();
  }

  private void checkOutput(Path file) throws InputException {
    if (Files.isDirectory(file)) {
      throw new InputException("output is a folder, not a file: " + file);
    }
    if (Files.exists(file) && !overwrite) {
      throw new InputException("output exists: " + file + " (use --overwrite to replace it)");
    }
    Path folder = file.toAbsolutePath().getParent();
    if (folder == null || !Files.isDirectory(folder)) {
      throw new InputException("output folder does not exist: " + folder);
    }
  }

  /** Option values that make no sense whatever the files are: exit status 2. */
  private OutputFormat checkOptions() {
    if (query.isBlank()) {
      throw CommandFailures.usage(spec, "--query is empty; say what to find, for example --query \"storage tanks\"");
    }
    OutputFormat format = OutputFormat.of(out);
    if (format == null) {
      throw CommandFailures.usage(spec, "unknown output extension: " + out.getFileName()
          + " (accepted: .gpkg, .geojson, .json)");
    }
    if (threshold != null && !(threshold > 0 && threshold < 1)) {
      throw CommandFailures.usage(spec, "--threshold must be between 0 and 1 (exclusive), got " + threshold);
    }
    if (tile != null && tile < 1) {
      throw CommandFailures.usage(spec, "--tile must be 1 or more pixels, got " + tile);
    }
    if (overlap != null && overlap < 0) {
      throw CommandFailures.usage(spec, "--overlap must be 0 or more pixels, got " + overlap);
    }
    if (batch < 1) {
      throw CommandFailures.usage(spec, "--batch must be 1 or more tiles, got " + batch);
    }
    if (simplify != null && !(simplify >= 0)) {
      throw CommandFailures.usage(spec, "--simplify must be >= 0 (CRS units), got " + simplify);
    }
    if (minArea != null && !(minArea >= 0)) {
      throw CommandFailures.usage(spec, "--min-area must be >= 0 (square metres), got " + minArea);
    }
    if (probabilities != null && !hasExtension(probabilities, ".tif", ".tiff")) {
      throw CommandFailures.usage(spec, "--probabilities must name a .tif file, got " + probabilities.getFileName());
    }
    if (preview != null && !hasExtension(preview, ".png")) {
      throw CommandFailures.usage(spec, "--preview must name a .png file, got " + preview.getFileName());
    }
    return format;
  }

  private static boolean hasExtension(Path file, String... extensions) {
    String name = file.getFileName() == null ? ""
        : file.getFileName().toString().toLowerCase(Locale.ROOT);
    return Arrays.stream(extensions).anyMatch(name::endsWith);
  }

  /** 1-based band list to 0-based indexes; null when not given (the model's channel count). */
  private int[] parseBands() {
    if (bands == null) {
      return null;
    }
    List<Integer> list = new ArrayList<>();
    for (String part : bands.split(",", -1)) {
      try {
        int b = Integer.parseInt(part.strip());
        if (b < 1) {
          throw CommandFailures.usage(spec, "--bands counts from 1, got " + b);
        }
        list.add(b - 1);
      } catch (NumberFormatException e) {
        throw CommandFailures.usage(spec, "--bands must be band numbers from 1, separated by commas (1,2,3), got '"
            + bands + "'");
      }
    }
    return list.stream().mapToInt(Integer::intValue).toArray();
  }



  static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /** What was written, for the last stdout line. */
  private static final class Result {
    final ProviderReport provider;
    final String crs;
    final double threshold;
    InferenceSummary inference;
    int polygons;
    double areaSquareMetres;

    Result(ProviderReport provider, String crs, double threshold) {
      this.provider = provider;
      this.crs = crs;
      this.threshold = threshold;
    }

    void add(VectorizedRegion region) {
      polygons++;
      areaSquareMetres += region.areaSquareMetres();
    }
  }
}
