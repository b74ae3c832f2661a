package org.diffris.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What a job will cost, known before any pixel is read or the model runs: the raster's and the
 * model grid's sizes, the tiles, the Java heap the job needs ({@link SegmentationPlan#jobBytes}),
 * ONNX Runtime's native memory for the tile and batch (from the bundle's measured {@code
 * runtime_memory}, unknown without it) and, once a {@link TileCost} is given, the time of the
 * job's run: tiles × seconds per tile. Made by {@link Segmenter#plan(RasterInput, SegmentOptions,
 * java.util.function.Consumer)}.
 *
 * <p>The time counts the job's run (what a summary reports as {@code inference_ms}: reading, the
 * model, blending, vectorizing), not the process's start or the model's loading; it counts every
 * tile of the grid, so tiles without any valid pixel, which are skipped, make a run shorter than
 * estimated. Immutable.
 *
 * @param rasterWidth the raster's width, pixels, as the model sees it (north-up)
 * @param rasterHeight the raster's height, pixels
 * @param modelWidth the model grid's width, pixels at the model's GSD
 * @param modelHeight the model grid's height
 * @param tileSize the tile side, model pixels
 * @param overlap the overlap between tiles, model pixels
 * @param batchSize tiles per model call
 * @param tiles tiles in the grid
 * @param batches model calls (a batch does not reach across tile rows)
 * @param heapBytes the Java heap the job needs
 * @param heapLimitBytes the Java heap this JVM may use
 * @param nativeBytes ONNX Runtime's native memory for this tile and batch; empty when the bundle
 *     does not say
 * @param cost the cost of one tile; null while not known
 */
public record RunEstimate(
    int rasterWidth,
    int rasterHeight,
    int modelWidth,
    int modelHeight,
    int tileSize,
    int overlap,
    int batchSize,
    int tiles,
    int batches,
    long heapBytes,
    long heapLimitBytes,
    OptionalLong nativeBytes,
    TileCost cost) {

  /** This estimate with its time: {@code tiles × cost}. */
  public RunEstimate withCost(TileCost tileCost) {
    return new RunEstimate(
        rasterWidth,
        rasterHeight,
        modelWidth,
        modelHeight,
        tileSize,
        overlap,
        batchSize,
        tiles,
        batches,
        heapBytes,
        heapLimitBytes,
        nativeBytes,
        tileCost);
  }

  /** Seconds the job's run takes, estimated; empty without a {@link #cost}. */
  public OptionalDouble seconds() {
    return cost == null ? OptionalDouble.empty() : OptionalDouble.of(tiles * cost.secondsPerTile());
  }

  /**
   * Refuses the job when its estimated time is above {@code maxSeconds}.
   *
   * @throws EstimateLimitException with the estimate and the limit
   * @throws IllegalStateException when this estimate has no cost yet
   */
  public void checkWithin(double maxSeconds) {
    double seconds =
        seconds()
            .orElseThrow(() -> new IllegalStateException("no tile cost to estimate the time with"));
    if (seconds > maxSeconds) {
      throw new EstimateLimitException(this, maxSeconds);
    }
  }

  /** What the time is made of: {@code 361 tiles × 5.80 ms per tile, mean of 3 runs}. */
  public String timeBasis() {
    return cost == null
        ? "no tile cost known"
        : String.format(
            Locale.ROOT,
            "%d tiles × %.2f ms per tile, %s",
            tiles,
            cost.secondsPerTile() * 1e3,
            cost.basis());
  }

  /** The estimate for people, one fact a line. */
  public List<String> lines() {
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "raster: %d x %d pixels", rasterWidth, rasterHeight));
    lines.add(
        String.format(
            Locale.ROOT, "model grid: %d x %d pixels at the model's GSD", modelWidth, modelHeight));
    lines.add(
        String.format(
            Locale.ROOT,
            "tiles: %d of %d model pixels (overlap %d), %d batches of up to %d",
            tiles,
            tileSize,
            overlap,
            batches,
            batchSize));
    lines.add(
        String.format(
            Locale.ROOT,
            "java heap: %s needed, %s allowed",
            bytes(heapBytes),
            bytes(heapLimitBytes)));
    lines.add(
        "native memory (ONNX Runtime): "
            + (nativeBytes.isPresent()
                ? bytes(nativeBytes.getAsLong())
                    + " for tiles of "
                    + tileSize
                    + " in batches of "
                    + batchSize
                : "unknown (the bundle's model.json has no runtime_memory)"));
    lines.add(
        "time: "
            + (cost == null ? "unknown" : "about " + duration(seconds().getAsDouble()))
            + " ("
            + timeBasis()
            + "; start-up and model loading not counted)");
    return lines;
  }

  /** The estimate for programs: one JSON object, sizes in pixels, memory in bytes. */
  public String toJson() {
    StringBuilder json = new StringBuilder("{");
    field(json, "raster_width", rasterWidth);
    field(json, "raster_height", rasterHeight);
    field(json, "model_width", modelWidth);
    field(json, "model_height", modelHeight);
    field(json, "tile", tileSize);
    field(json, "overlap", overlap);
    field(json, "batch", batchSize);
    field(json, "tiles", tiles);
    field(json, "batches", batches);
    field(json, "heap_bytes", heapBytes);
    field(json, "heap_limit_bytes", heapLimitBytes);
    field(json, "native_bytes", nativeBytes.isPresent() ? nativeBytes.getAsLong() : null);
    field(json, "seconds", cost == null ? null : seconds().getAsDouble());
    field(json, "seconds_per_tile", cost == null ? null : cost.secondsPerTile());
    field(json, "cost_runs", cost == null ? null : cost.runs());
    json.append("\"basis\":").append(quoted(timeBasis()));
    return json.append('}').toString();
  }

  private static void field(StringBuilder json, String name, Object value) {
    json.append('"').append(name).append("\":");
    if (value instanceof Double d) {
      json.append(String.format(Locale.ROOT, "%.6g", d));
    } else {
      json.append(value);
    }
    json.append(',');
  }

  static String quoted(String text) {
    StringBuilder q = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> q.append("\\\"");
        case '\\' -> q.append("\\\\");
        case '\n' -> q.append("\\n");
        default -> {
          if (c < 0x20) {
            q.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            q.append(c);
          }
        }
      }
    }
    return q.append('"').toString();
  }

  static String bytes(long bytes) {
    return bytes >= 1L << 30
        ? String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30))
        : String.format(Locale.ROOT, "%.0f MiB", Math.ceil(bytes / (double) (1L << 20)));
  }

  static String duration(double seconds) {
    if (seconds < 60) {
      return String.format(Locale.ROOT, "%.1f s", seconds);
    }
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%d min %02d s", (long) seconds / 60, (long) seconds % 60);
    }
    return String.format(
        Locale.ROOT, "%d h %02d min", (long) seconds / 3600, (long) seconds % 3600 / 60);
  }

  /**
   * Refuses a job whose native memory (ONNX Runtime's, measured per model) and Java heap together
   * exceed this machine's memory, before anything is read.
   *
   * @param physicalBytes the memory of the machine (or container), 0 when unknown
   */
  static void checkNativeMemory(
      OptionalLong nativeBytes, long heapBytes, long physicalBytes, int tile, int batch) {
    if (nativeBytes.isEmpty() || physicalBytes <= 0) {
      return;
    }
    long need = nativeBytes.getAsLong() + heapBytes;
    if (need > physicalBytes) {
      throw new InvalidInputException(
          String.format(
              Locale.ROOT,
              "with tiles of %d model pixels in batches of %d, ONNX Runtime needs about %s of"
                  + " native memory (the bundle's runtime_memory) beside the job's %s of Java"
                  + " heap, more than this machine's %s; use smaller batches or tiles",
              tile,
              batch,
              bytes(nativeBytes.getAsLong()),
              bytes(heapBytes),
              bytes(physicalBytes)));
    }
  }

  /** The memory of this machine, or of the container it runs in; 0 when the JVM cannot say. */
  static long physicalMemory() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getTotalMemorySize()
        : 0;
  }
}
