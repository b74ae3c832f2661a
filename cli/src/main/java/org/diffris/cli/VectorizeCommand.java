package org.diffris.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.diffris.cli.io.AtomicOutput;
import org.diffris.cli.io.GeoJsonWriter;
import org.diffris.cli.io.GeoPackageWriter;
import org.diffris.cli.io.GeoTiffMask;
import org.diffris.cli.io.RegionWriter;
import org.diffris.cli.io.RowBandReader;
import org.diffris.cli.io.SpatialReference;
import org.diffris.vectorizer.Connectivity;
import org.diffris.vectorizer.MaskVectorizer;
import org.diffris.vectorizer.VectorizedRegion;
import org.diffris.vectorizer.VectorizerOptions;
import org.locationtech.jts.geom.GeometryFactory;
import picocli.CommandLine.Command;
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
        "Last line on stdout: polygons=... pixels=... area_m2=... ms=..."})
public final class VectorizeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--mask", required = true, paramLabel = "MASK.tif",
      description = "GeoTIFF mask: byte, 16-bit, or float; any CRS; rotated grids allowed.")
  Path mask;

  @Option(names = "--out", required = true, paramLabel = "OUT.gpkg|OUT.geojson",
      description = "Output: .gpkg (in the raster's CRS) or .geojson (RFC 7946, WGS84 lon/lat).")
  Path out;

  @Option(names = "--band", defaultValue = "1", description = "Band to read, from 1 (default 1).")
  int band;

  @Option(names = "--threshold", paramLabel = "T",
      description = "Read the band as probabilities; pixels >= T (0 < T < 1) are the mask, and "
          + "each polygon gets mean_probability.")
  Double threshold;

  @Option(names = "--connectivity", defaultValue = "4", paramLabel = "4|8",
      description = "Pixels joined by edges only (4, default, as gdal_polygonize) or by corners "
          + "too (8).")
  int connectivity;

  @Option(names = "--simplify", paramLabel = "TOL",
      description = "Simplify outlines with this tolerance, in CRS units (metres, feet, degrees).")
  Double simplify;

  @Option(names = "--min-area", paramLabel = "M2",
      description = "Drop polygons smaller than this many square metres.")
  Double minArea;

  @Option(names = "--max-features", paramLabel = "N",
      description = "Keep at most N polygons, the largest (holds every polygon in memory; "
          + "without it polygons are written as they complete).")
  Integer maxFeatures;

  @Option(names = "--overwrite", description = "Replace an existing output file.")
  boolean overwrite;

  @Override
  public Integer call() {
    long start = System.nanoTime();
    PrintWriter stdout = spec.commandLine().getOut();
    OutputFormat format = checkOptions();
    try {
      if (Files.exists(out) && !overwrite) {
        throw new InputException("output exists: " + out + " (use --overwrite to replace it)");
      }
      Path folder = out.toAbsolutePath().getParent();
      if (folder == null || !Files.isDirectory(folder)) {
        throw new InputException("output folder does not exist: " + folder);
      }
      if (Files.isDirectory(out)) {
        throw new InputException("output is a folder, not a file: " + out);
      }
      Summary summary = run(format);
      long ms = (System.nanoTime() - start) / 1_000_000;
      stdout.println(String.format(Locale.ROOT,
          "polygons=%d pixels=%d area_m2=%.2f crs=%s out=%s ms=%d", summary.polygons,
          summary.pixels, summary.areaSquareMetres, summary.crs, out, ms));
      stdout.flush();
      return 0;
    } catch (InputException e) {
      return CommandFailures.fail(spec, e.getMessage());
    } catch (IOException e) {
      return CommandFailures.fail(spec, "cannot write " + out + ": " + e.getMessage());
    }
  }

  private Summary run(OutputFormat format) throws InputException, IOException {
    PhaseTimer timer = new PhaseTimer();
    try (GeoTiffMask raster = GeoTiffMask.openForVectorizing(mask, band);
        AtomicOutput output = new AtomicOutput(out, overwrite)) {
      timer.mark("open GeoTIFF");
      boolean probabilities = threshold != null;
      SpatialReference srs = raster.spatialReference();
      timer.mark("CRS to EPSG code and WKT");
      VectorizerOptions options = options(raster);
      timer.mark("area model");
      Summary summary = new Summary(srs.label());
      try (RegionWriter writer = format == OutputFormat.GEOJSON
          ? new GeoJsonWriter(output.temporary(), raster.crs(), probabilities)
          : new GeoPackageWriter(output.temporary(), layerName(out), srs,
              options.connectivity() == Connectivity.EIGHT, probabilities)) {
        timer.mark("create output");
        Consumer<VectorizedRegion> write = region -> {
          try {
            writer.write(region);
            summary.add(region);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        };
        // Regions go to the file as they complete, unless a filter needs all of them at once.
        boolean streaming = maxFeatures == null && (simplify == null || simplify == 0);
        MaskVectorizer vectorizer = streaming
            ? new MaskVectorizer(raster.width(), raster.height(), raster.pixelToWorld(), options,
                new GeometryFactory(), write)
            : new MaskVectorizer(raster.width(), raster.height(), raster.pixelToWorld(), options,
                new GeometryFactory());
        try (RowBandReader bands = new RowBandReader(raster, probabilities)) {
          while (bands.hasNext()) {
            vectorizer.accept(bands.next());
          }
        }
        timer.mark("read, vectorize, write");
        vectorizer.finish().forEach(write);
        writer.finish();
        timer.mark("finish output");
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      output.commit();
      timer.mark("close output");
      return summary;
    }
  }

  private VectorizerOptions options(GeoTiffMask raster) throws InputException {
    VectorizerOptions.Builder options = VectorizerOptions.builder()
        .connectivity(connectivity == 8 ? Connectivity.EIGHT : Connectivity.FOUR)
        .areaModel(raster.areaModel());
    if (threshold != null) {
      options.threshold(raster.thresholdAtSamplePrecision(threshold));
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
  private OutputFormat checkOptions() {
    OutputFormat format = OutputFormat.of(out);
    if (format == null) {
      throw CommandFailures.usage(spec, "unknown output extension: " + out.getFileName()
          + " (accepted: .gpkg, .geojson, .json)");
    }
    if (threshold != null && !(threshold > 0 && threshold < 1)) {
      throw CommandFailures.usage(spec, "--threshold must be between 0 and 1 (exclusive), got " + threshold);
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
    return format;
  }



  /** The GeoPackage table name: the output file's name as an SQL identifier. */
  static String layerName(Path out) {
    String stem = out.getFileName().toString().replaceFirst("\\.[^.]*$", "");
    String name = stem.replaceAll("[^A-Za-z0-9_]", "_");
    return name.isEmpty() || Character.isDigit(name.charAt(0)) ? "regions_" + name : name;
  }

  enum OutputFormat {
    GEOPACKAGE, GEOJSON;

    static OutputFormat of(Path file) {
      String name = file.getFileName() == null ? "" : file.getFileName().toString();
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.endsWith(".gpkg")) {
        return GEOPACKAGE;
      }
      if (lower.endsWith(".geojson") || lower.endsWith(".json")) {
        return GEOJSON;
      }
      return null;
    }
  }

  /** What was written, for the last stdout line. */
  private static final class Summary {
    final String crs;
    int polygons;
    long pixels;
    double areaSquareMetres;

    Summary(String crs) {
      this.crs = crs;
    }

    void add(VectorizedRegion region) {
      polygons++;
      pixels += region.pixelCount();
      areaSquareMetres += region.areaSquareMetres();
    }
  }
}
