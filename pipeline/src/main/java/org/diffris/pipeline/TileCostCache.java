package org.diffris.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.diffris.runtime.ModelBundle;
import org.diffris.runtime.json.JsonReader;

/**
 * The cost of one tile ({@link TileCost}) per model, provider, tile, batch and CPU count, kept in
 * one small JSON file per user so that an estimate needs no calibration after the first: measured
 * once by {@link TileCalibration}, then replaced by what real runs measured ({@link #recordRun}),
 * the recent runs counting most.
 *
 * <p>Guarantees: a cache file that cannot be read or parsed is ignored with a warning and rewritten
 * by the next update, never the cause of a failed job; every write replaces the file atomically
 * (a temporary file in the same folder, then a rename), so a reader never sees half a file; a
 * cache that cannot be written is a warning. Two processes updating at once may lose one update,
 * never the file. The key holds the model's name, version and a hash of its model.json, the
 * provider that ran it, the tile side, the batch and the CPUs this JVM sees.
 */
public final class TileCostCache {
  /** The system property naming the cache's folder (default: the user's cache folder). */
  public static final String DIRECTORY_PROPERTY = "diffris.cacheDir";

  static final String FILE_NAME = "tile-costs.json";

  /** How much a run's predecessors weigh when it is added: the recent runs count most. */
  static final double DECAY = 0.8;

  private final Path file;
  private final Consumer<String> warnings;

  /**
   * @param file the cache file (its folder is created on the first write)
   * @param warnings told about a cache that cannot be read or written
   */
  public TileCostCache(Path file, Consumer<String> warnings) {
    this.file = file;
    this.warnings = warnings;
  }

  /**
   * The user's cache: in the folder {@code diffris.cacheDir} names, else {@code
   * $XDG_CACHE_HOME/diffris}, else {@code ~/.cache/diffris}.
   */
  public static TileCostCache forUser(Consumer<String> warnings) {
    String configured = System.getProperty(DIRECTORY_PROPERTY);
    Path folder;
    if (configured != null && !configured.isBlank()) {
      folder = Path.of(configured);
    } else {
      String xdg = System.getenv("XDG_CACHE_HOME");
      folder =
          xdg != null && !xdg.isBlank()
              ? Path.of(xdg, "diffris")
              : Path.of(System.getProperty("user.home"), ".cache", "diffris");
    }
    return new TileCostCache(folder.resolve(FILE_NAME), warnings);
  }

  public Path file() {
    return file;
  }

  /** The cached cost of the estimate's tiles with this model here, if any. */
  public Optional<TileCost> cached(Segmenter segmenter, RunEstimate estimate) {
    Map<String, Object> entry = read().get(key(segmenter, estimate));
    return entry == null ? Optional.empty() : cost(entry);
  }

  /**
   * The cached cost, else one measured now ({@link TileCalibration}, about a second) and cached.
   *
   * @throws IOException when the calibration run fails
   */
  public TileCost costFor(Segmenter segmenter, RunEstimate estimate) throws IOException {
    Optional<TileCost> cached = cached(segmenter, estimate);
    if (cached.isPresent()) {
      return cached.get();
    }
    TileCost measured = TileCalibration.measure(segmenter, estimate);
    update(
        key(segmenter, estimate),
        entry -> {
          entry.put("calibrated_seconds_per_tile", measured.secondsPerTile());
          entry.put("calibrated_on", LocalDate.now(ZoneOffset.UTC).toString());
        });
    return measured;
  }

  /**
   * Adds what a real run measured: its run time over the tiles it sent to the model. A run that
   * sent none teaches nothing and is left out.
   */
  public void recordRun(Segmenter segmenter, RunEstimate estimate, SegmentationSummary summary) {
    int tiles = summary.inference().tiles() - summary.inference().tilesSkipped();
    if (tiles <= 0) {
      return;
    }
    double seconds = summary.inference().totalNanos() / 1e9;
    update(
        key(segmenter, estimate),
        entry -> {
          entry.put("run_seconds", DECAY * number(entry, "run_seconds") + seconds);
          entry.put("run_tiles", DECAY * number(entry, "run_tiles") + tiles);
          entry.put("runs", (long) number(entry, "runs") + 1);
        });
  }

  /** The entry's cost: the runs' when there are any, else the calibration's. */
  private static Optional<TileCost> cost(Map<String, Object> entry) {
    double runs = number(entry, "runs");
    double runSeconds = number(entry, "run_seconds");
    double runTiles = number(entry, "run_tiles");
    if (runs >= 1 && runSeconds > 0 && runTiles > 0) {
      long n = (long) runs;
      return Optional.of(
          new TileCost(
              runSeconds / runTiles,
              (int) n,
              "mean of " + n + " earlier run" + (n == 1 ? "" : "s")));
    }
    double calibrated = number(entry, "calibrated_seconds_per_tile");
    if (calibrated > 0 && Double.isFinite(calibrated)) {
      Object on = entry.get("calibrated_on");
      return Optional.of(
          new TileCost(
              calibrated,
              0,
              "calibrated" + (on instanceof String d ? " on " + d : "") + ", cached"));
    }
    return Optional.empty();
  }

  private static double number(Map<String, Object> entry, String name) {
    Object value = entry.get(name);
    return value instanceof Number n && Double.isFinite(n.doubleValue()) && n.doubleValue() >= 0
        ? n.doubleValue()
        : 0;
  }

  /** The key of a model, provider, tile, batch and machine. */
  static String key(Segmenter segmenter, RunEstimate estimate) {
    String provider =
        segmenter.provider().isCuda()
            ? "CUDA:" + segmenter.provider().deviceId()
            : segmenter.provider().name();
    return String.join(
        "|",
        segmenter.description().name(),
        segmenter.description().version(),
        descriptionHash(segmenter),
        provider,
        "tile=" + estimate.tileSize(),
        "batch=" + estimate.batchSize(),
        "cpus=" + Runtime.getRuntime().availableProcessors());
  }

  private static String descriptionHash(Segmenter segmenter) {
    try {
      byte[] json = segmenter.model().bundle().read(ModelBundle.DESCRIPTION_FILE);
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(json);
      return HexFormat.of().formatHex(digest, 0, 6);
    } catch (IOException | NoSuchAlgorithmException e) {
      return "unhashed";
    }
  }

  /** Every entry of the file; empty, with a warning, when it cannot be read. */
  @SuppressWarnings("unchecked")
  private Map<String, Map<String, Object>> read() {
    Map<String, Map<String, Object>> entries = new LinkedHashMap<>();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return entries;
    } catch (IOException | RuntimeException e) {
      warnings.accept(
          "the tile-cost cache " + file + " cannot be read (" + e + "): estimated without it");
      return entries;
    }
    try {
      Object root = JsonReader.parse(text, file.toString());
      if (!(root instanceof Map<?, ?> top) || !(top.get("costs") instanceof Map<?, ?> costs)) {
        throw new IllegalArgumentException("no \"costs\" object");
      }
      for (Map.Entry<?, ?> e : costs.entrySet()) {
        if (e.getValue() instanceof Map<?, ?> entry) {
          entries.put((String) e.getKey(), new LinkedHashMap<>((Map<String, Object>) entry));
        }
      }
      return entries;
    } catch (IOException | RuntimeException e) {
      warnings.accept(
          "the tile-cost cache "
              + file
              + " is not a cache this version wrote ("
              + e.getMessage()
              + "): ignored, and rewritten by the next run");
      return new LinkedHashMap<>();
    }
  }

  /** Reads, changes one entry and writes the file back atomically; a failure is a warning. */
  private synchronized void update(String key, Consumer<Map<String, Object>> change) {
    Map<String, Map<String, Object>> entries = read();
    Map<String, Object> entry = entries.computeIfAbsent(key, k -> new LinkedHashMap<>());
    change.accept(entry);
    Path temporary = null;
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      temporary = Files.createTempFile(file.toAbsolutePath().getParent(), ".tile-costs", ".tmp");
      Files.writeString(temporary, json(entries), StandardCharsets.UTF_8);
      try {
        Files.move(
            temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
      }
      temporary = null;
    } catch (IOException | RuntimeException e) {
      warnings.accept("the tile-cost cache " + file + " cannot be written: " + e);
    } finally {
      if (temporary != null) {
        try {
          Files.deleteIfExists(temporary);
        } catch (IOException e) {
          // the warning above already says the write failed
        }
      }
    }
  }

  private static String json(Map<String, Map<String, Object>> entries) {
    StringBuilder json = new StringBuilder("{\n  \"format\": 1,\n  \"costs\": {");
    String separator = "\n";
    for (Map.Entry<String, Map<String, Object>> e : entries.entrySet()) {
      json.append(separator).append("    ").append(RunEstimate.quoted(e.getKey())).append(": {");
      String inner = "";
      for (Map.Entry<String, Object> field : e.getValue().entrySet()) {
        json.append(inner).append(RunEstimate.quoted(field.getKey())).append(": ");
        Object value = field.getValue();
        if (value instanceof String s) {
          json.append(RunEstimate.quoted(s));
        } else if (value instanceof Double d) {
          json.append(Double.toString(d));
        } else {
          json.append(value);
        }
        inner = ", ";
      }
      json.append('}');
      separator = ",\n";
    }
    return json.append("\n  }\n}\n").toString();
  }
}
