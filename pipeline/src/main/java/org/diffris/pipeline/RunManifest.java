package org.diffris.pipeline;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffris.runtime.ModelDescription;
import org.diffris.runtime.onnx.ProviderReport;

/**
 * One JSON document per run that says what ran, on what, how and with what result: the run id
 * its regions carry ({@link Provenance}), the software's build ({@link SoftwareVersion}), the
 * model with a digest of its bundle, the execution provider, every option as the plan applied
 * it, each input file, the counts, the timings and the ground covered. Documented field by field
 * in {@code docs/run-manifest.md}; every host writes it with its outputs (a file beside the
 * command line's output, a file in the Spark output folder, a log line on the server).
 *
 * <p>Built in the order of the document's fields; a host may add its own ({@link #put}). Not
 * thread-safe.
 */
public final class RunManifest {
  /** The document's {@code format}: changes when a field changes meaning or goes away. */
  public static final String FORMAT = "diffris-run-manifest/1";

  /** What a command-line output's manifest is named after it: {@code out.gpkg -> out.run.json}. */
  public static final String SUFFIX = ".run.json";

  /**
   * One input file as the host saw it before the run.
   *
   * @param role what it is to the run ({@code raster}, {@code mask})
   * @param path the path or URI as the user gave it, made absolute where it is a local file
   * @param bytes its size, or null for an input that is not a file (a coverage on a server)
   * @param modified its last modification time, or null likewise
   */
  public record Input(String role, String path, Long bytes, Instant modified) {
    Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("role", role);
      m.put("path", path);
      m.put("bytes", bytes);
      m.put("modified", modified == null ? null : modified.toString());
      return m;
    }
  }

  private final Map<String, Object> root = new LinkedHashMap<>();

  /**
   * Starts a run's document.
   *
   * @param host what ran: {@code diffris segment}, {@code diffris-spark}, {@code diffris:Segment}
   * @param started when the run started
   */
  public RunManifest(String host, String runId, Instant started) {
    root.put("format", FORMAT);
    root.put("run_id", runId);
    root.put("host", host);
    root.put("software", software());
    root.put("started", started.toString());
  }

  /** The build that runs, as the manifest's {@code software} holds it. */
  public static Map<String, Object> software() {
    SoftwareVersion v = SoftwareVersion.current();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", v.describe());
    m.put("commit", v.commit());
    m.put("project_version", v.projectVersion());
    return m;
  }

  /**
   * The model ({@code model}: name, version, the bundle's location and content digest) and where
   * it ran ({@code execution_provider}).
   *
   * @throws IOException when the bundle cannot be read for its digest
   */
  public RunManifest model(Segmenter segmenter) throws IOException {
    root.put("model", modelOf(segmenter));
    root.put("execution_provider", provider(segmenter.provider()));
    return this;
  }

  /** A model as the manifest's {@code model} holds it. */
  public static Map<String, Object> modelOf(Segmenter segmenter) throws IOException {
    ModelDescription d = segmenter.description();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", d.name());
    m.put("version", d.version());
    m.put("bundle", segmenter.location());
    m.put("sha256", segmenter.model().bundle().contentSha256());
    return m;
  }

  /** Where a model runs, as the manifest's {@code execution_provider} holds it: CPU, CUDA:0. */
  public static String provider(ProviderReport report) {
    return report.isCuda() ? "CUDA:" + report.deviceId() : report.name();
  }

  /** Every option as the plan applies it ({@code options}). */
  public RunManifest options(SegmentationPlan plan) {
    root.put("options", optionsOf(plan));
    return this;
  }

  /**
   * A plan's options as applied: the model's defaults filled in, the value scaling resolved, the
   * tile as the plan runs it (a tile larger than the raster needs is made smaller).
   */
  public static Map<String, Object> optionsOf(SegmentationPlan plan) {
    SegmentOptions o = plan.options();
    int[] tiling = plan.tiling();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("query", o.query());
    m.put("threshold", plan.threshold());
    List<Object> bands = new ArrayList<>();
    for (int b : plan.bands()) {
      bands.add(b + 1L);
    }
    m.put("bands", bands);
    m.put("scale", plan.scaling().rule());
    m.put("scale_reason", plan.scaling().reason());
    m.put("tile", (long) tiling[0]);
    m.put("overlap", (long) tiling[1]);
    m.put("batch", (long) o.batchSize());
    m.put("resample_factor", plan.resampleFactor());
    m.put("roi", o.roi() == null ? null : o.roi().describe());
    m.put("simplify", o.simplify());
    m.put("min_area", o.minArea());
    m.put("max_features", o.maxFeatures() == null ? null : (long) o.maxFeatures());
    m.put("max_pixels", o.maxPixels() == Long.MAX_VALUE ? null : o.maxPixels());
    return m;
  }

  /** The input files ({@code inputs}). */
  public RunManifest inputs(List<Input> inputs) {
    root.put("inputs", inputs.stream().map(Input::json).toList());
    return this;
  }

  /** The files or places the run writes ({@code outputs}). */
  public RunManifest outputs(List<String> outputs) {
    root.put("outputs", List.copyOf(outputs));
    return this;
  }

  /**
   * What one job did: {@code counts}, {@code timings_ms}, {@code area_km2}, {@code km2_per_s}
   * and the {@code warnings}.
   *
   * @param squareKilometres the ground the run covered ({@link SegmentationPlan#squareKilometres})
   * @param totalMillis the run's whole time, as the host reports it
   */
  public RunManifest result(
      SegmentationSummary s, List<String> warnings, double squareKilometres, double totalMillis) {
    return result(
        counts(
            s.inference().tiles(),
            s.inference().tilesSkipped(),
            s.regions(),
            s.regionsAtEdge(),
            warnings.size()),
        timings(
            totalMillis,
            s.inference().modelMillis(),
            s.readingNanos() / 1e6,
            s.vectorizingNanos() / 1e6),
        warnings,
        squareKilometres,
        totalMillis);
  }

  /**
   * As {@link #result(SegmentationSummary, List, double, double)} for a host that adds up many
   * jobs (a distributed run): its own {@link #counts} and {@link #timings}.
   */
  public RunManifest result(
      Map<String, Object> counts,
      Map<String, Object> timings,
      List<String> warnings,
      double squareKilometres,
      double totalMillis) {
    root.put("counts", counts);
    root.put("timings_ms", timings);
    root.put("area_km2", squareKilometres);
    root.put("km2_per_s", squareKilometresPerSecond(squareKilometres, totalMillis));
    root.put("warnings", List.copyOf(warnings));
    return this;
  }

  /** Ground covered per second of the run's whole time, as the summary lines print it. */
  public static double squareKilometresPerSecond(double squareKilometres, double totalMillis) {
    return totalMillis > 0 ? squareKilometres / (totalMillis / 1000) : Double.NaN;
  }

  /** A run's {@code counts}. */
  public static Map<String, Object> counts(
      long tiles, long tilesSkipped, long polygons, long atEdge, long warnings) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tiles", tiles);
    m.put("tiles_run", tiles - tilesSkipped);
    m.put("tiles_skipped", tilesSkipped);
    m.put("polygons", polygons);
    m.put("at_edge", atEdge);
    m.put("warnings", warnings);
    return m;
  }

  /** A run's {@code timings_ms}. */
  public static Map<String, Object> timings(
      double total, double model, double reading, double vectorizing) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("total", total);
    m.put("model", model);
    m.put("reading", reading);
    m.put("vectorizing", vectorizing);
    return m;
  }

  /** Adds a field of the host's own (a value {@link #json} can write: map, list, text, number). */
  public RunManifest put(String key, Object value) {
    root.put(key, value);
    return this;
  }

  /** The document's fields so far, in order (read-only). */
  public Map<String, Object> fields() {
    return java.util.Collections.unmodifiableMap(root);
  }

  /** Any value {@link #put} takes as JSON text, as the document writes it. */
  public static String toJson(Object value) {
    return JsonText.of(value);
  }

  /** The document as JSON text, indented, ending with a newline. */
  public String json() {
    return JsonText.of(root);
  }

  /** The document as one line of JSON, for a log. */
  public String jsonLine() {
    return json().replaceAll("\n\\s*", " ").strip();
  }

  /**
   * The manifest's file name for an output file's name: the output's name without its last
   * extension, plus {@value #SUFFIX} ({@code tanks.gpkg -> tanks.run.json}, {@code
   * tanks.geojson -> tanks.run.json}).
   */
  public static String fileNameFor(String outputFileName) {
    int dot = outputFileName.lastIndexOf('.');
    return (dot > 0 ? outputFileName.substring(0, dot) : outputFileName) + SUFFIX;
  }
}
