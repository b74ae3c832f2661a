package org.diffris.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.diffris.cli.io.RegionWriter;
import org.diffris.geotools.GeoTiffRaster;
import org.diffris.geotools.MaskReader;
import org.diffris.geotools.RowBandReader;
import org.diffris.output.AtomicOutput;
import org.diffris.pipeline.InvalidInputException;
import org.diffris.pipeline.OutputSchema;
import org.diffris.pipeline.Provenance;
import org.diffris.vectorizer.Connectivity;
import org.diffris.vectorizer.MaskVectorizer;
import org.diffris.vectorizer.VectorizerOptions;
import org.locationtech.jts.geom.GeometryFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code diffris vectorize}: a GeoTIFF mask to polygons in a GeoPackage or GeoJSON file.
 *
 * <p>Exit status: 0 on success; 1 when the input or output file is the problem (missing, not a
 * GeoTIFF, no georeferencing, no such band, output exists); 2 when an option is invalid; 3 on an
 * internal error. On any failure the output path is left as it was.
 */
@Command(
    name = "vectorize",
    mixinStandardHelpOptions = true,
    description = {
      "Turns a raster mask (GeoTIFF) into georeferenced polygons with holes, pixel-exact.",
      "Non-zero pixels are the mask; nodata pixels never are. With --threshold the band is read "
          + "as probabilities and pixels >= the threshold are the mask.",
      "Last line on stdout: polygons=... pixels=... area_m2=... ms=..."
    })
public final class VectorizeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--mask",
      required = true,
      paramLabel = "MASK.tif",
      description = "GeoTIFF mask: byte, 16-bit, or float; any CRS; rotated grids allowed.")
  Path mask;

  @Mixin OutputOptions output;

  @Option(names = "--band", defaultValue = "1", description = "Band to read, from 1 (default 1).")
  int band;

  @Option(
      names = "--threshold",
      paramLabel = "T",
      description =
          "Read the band as probabilities; pixels >= T (0 < T < 1) are the mask, and "
              + "each polygon gets its score (mean probability).")
  Double threshold;

  @Option(
      names = "--connectivity",
      defaultValue = "4",
      paramLabel = "4|8",
      description =
          "Pixels joined by edges only (4, default, as gdal_polygonize) or by corners "
              + "too (8).")
  int connectivity;

  @Option(
      names = "--simplify",
      paramLabel = "TOL",
      description = "Simplify outlines with this tolerance, in CRS units (metres, feet, degrees).")
  Double simplify;

  @Option(
      names = "--min-area",
      paramLabel = "M2",
      description = "Drop polygons smaller than this many square metres.")
  Double minArea;

  @Option(
      names = "--max-features",
      paramLabel = "N",
      description =
          "Keep at most N polygons, the largest (holds every polygon in memory; "
              + "without it polygons are written as they complete).")
  Integer maxFeatures;

  @Override
  public Integer call() {
    long start = System.nanoTime();
    checkOptions();
    try {
      InputFiles.requireReadable(mask, "mask");
      output.checkFiles(mask, "--mask", Map.of("--out", output.out));
      Summary summary = run();
      PrintWriter stdout = spec.commandLine().getOut();
      stdout.println(
          String.format(
              Locale.ROOT,
              "polygons=%d pixels=%d area_m2=%.2f crs=%s out=%s ms=%d run_id=%s",
              summary.polygons,
              summary.pixels,
              summary.areaSquareMetres,
              summary.crs,
              output.out,
              (System.nanoTime() - start) / 1_000_000,
              summary.runId));
      stdout.flush();
      return 0;
    } catch (InputException | InvalidInputException e) {
      return CommandFailures.fail(spec, e.getMessage());
    } catch (IOException e) {
      return CommandFailures.fail(
          spec, "cannot vectorize " + mask + " into " + output.out + ": " + e.getMessage());
    }
  }

  private Summary run() throws IOException {
    boolean probabilities = threshold != null;
    try (GeoTiffRaster raster = GeoTiffRaster.open(mask);
        AtomicOutput file = new AtomicOutput(output.out, output.overwrite)) {
      MaskReader reader = new MaskReader(raster, band);
      VectorizerOptions options = options(raster, reader);
      Summary summary = new Summary(raster.spatialReference().label());
      try (RegionWriter writer =
          output.writer(
              file.temporary(),
              raster,
              OutputSchema.mask(
                  probabilities,
                  new Provenance(Provenance.sourceName(mask.toString()), summary.runId)),
              options.connectivity() == Connectivity.EIGHT)) {
        MaskVectorizer vectorizer =
            new MaskVectorizer(
                raster.width(),
                raster.height(),
                raster.pixelToWorld(),
                options,
                new GeometryFactory(),
                region -> {
                  writer.accept(region);
                  summary.polygons++;
                  summary.pixels += region.pixelCount();
                  summary.areaSquareMetres += region.areaSquareMetres();
                });
        try (RowBandReader bands = new RowBandReader(reader, threshold)) {
          while (bands.hasNext()) {
            vectorizer.accept(bands.next());
          }
        }
        vectorizer.finish();
        writer.finish();
      }
      file.commit();
      return summary;
    }
  }

  private VectorizerOptions options(GeoTiffRaster raster, MaskReader reader) {
    VectorizerOptions.Builder options =
        VectorizerOptions.builder()
            .connectivity(connectivity == 8 ? Connectivity.EIGHT : Connectivity.FOUR)
            .areaModel(raster.areaModel());
    if (threshold != null) {
      options.threshold(reader.thresholdAtSamplePrecision(threshold));
    }
    if (simplify != null) {
      options.simplifyTolerance(simplify);
    }
    if (minArea != null) {
      options.minAreaSquareMetres(minArea);
    }
    if (maxFeatures != null) {
      options.maxFeatures(maxFeatures);
    }
    return options.build();
  }

  /** Option values that make no sense whatever the files are: exit status 2. */
  private void checkOptions() {
    output.format(spec);
    if (threshold != null && !VectorizerOptions.isThreshold(threshold)) {
      throw CommandFailures.usage(
          spec, "--threshold must be " + VectorizerOptions.THRESHOLD_RANGE + ", got " + threshold);
    }
    if (connectivity != 4 && connectivity != 8) {
      throw CommandFailures.usage(spec, "--connectivity must be 4 or 8, got " + connectivity);
    }
    if (band < 1) {
      throw CommandFailures.usage(spec, "--band counts from 1, got " + band);
    }
    if (simplify != null && !(simplify >= 0)) {
      throw CommandFailures.usage(spec, "--simplify must be >= 0 (CRS units), got " + simplify);
    }
    if (minArea != null && !(minArea >= 0)) {
      throw CommandFailures.usage(spec, "--min-area must be >= 0 (square metres), got " + minArea);
    }
    if (maxFeatures != null && maxFeatures < 1) {
      throw CommandFailures.usage(spec, "--max-features must be >= 1, got " + maxFeatures);
    }
  }

  /** What was written, for the last stdout line. */
  private static final class Summary {
    final String crs;
    final String runId = Provenance.newRunId();
    int polygons;
    long pixels;
    double areaSquareMetres;

    Summary(String crs) {
      this.crs = crs;
    }
  }
}
