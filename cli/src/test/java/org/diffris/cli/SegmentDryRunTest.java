package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.Scenes;
import org.diffris.cli.testing.TestBundle;
import org.diffris.pipeline.TileCostCache;
import org.diffris.runtime.json.JsonReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code diffris segment --dry-run}: the estimate without the job, nothing written but the
 * tile-cost cache; the same refusals as a real run; the tiles it counts are the tiles the run
 * sends, and after a real run its time is that run's tiles times the cost the run measured.
 */
class SegmentDryRunTest {
  @TempDir static Path shared;
  static Path bundle;
  static Path scene;
  @TempDir Path out;
  @TempDir Path cache;
  private String previousCache;

  @BeforeAll
  static void fixtures() throws Exception {
    bundle = TestBundle.write(shared.resolve("bundle"), 64);
    scene = Scenes.twoRedRectangles(shared.resolve("scene.tif"));
  }

  @BeforeEach
  void ownCache() {
    previousCache = System.setProperty(TileCostCache.DIRECTORY_PROPERTY, cache.toString());
  }

  @AfterEach
  void restoreCache() {
    if (previousCache == null) {
      System.clearProperty(TileCostCache.DIRECTORY_PROPERTY);
    } else {
      System.setProperty(TileCostCache.DIRECTORY_PROPERTY, previousCache);
    }
  }

  private Cli segment(String... extra) {
    List<String> args = new ArrayList<>(List.of(extra));
    args.addAll(List.of("--progress", "none"));
    return Cli.segment(scene, "red things", bundle, args.toArray(String[]::new));
  }

  @Test
  void aDryRunPrintsTheEstimateAndWritesNothingButTheCache() throws Exception {
    Path gpkg = out.resolve("red.gpkg");
    Cli dry =
        segment(
            "--out",
            gpkg.toString(),
            "--dry-run",
            "--preview",
            out.resolve("p.png").toString(),
            "--probabilities",
            out.resolve("p.tif").toString());
    assertEquals(0, dry.exitCode, dry.err);
    assertTrue(dry.out.contains("raster: 200 x 150 pixels"), dry.out);
    assertTrue(dry.out.contains("tiles: 20 of 64 model pixels (overlap 16)"), dry.out);
    assertTrue(dry.out.contains("java heap: "), dry.out);
    assertTrue(dry.out.contains("native memory (ONNX Runtime): unknown"), dry.out);
    assertTrue(dry.out.contains("calibrated now: median of 3 runs of "), dry.out);
    assertFalse(dry.out.contains("polygons="), "no job ran: " + dry.out);
    try (Stream<Path> written = Files.list(out)) {
      assertEquals(List.of(), written.toList(), "a dry run writes no output");
    }
    assertTrue(Files.exists(cache.resolve("tile-costs.json")));
  }

  @Test
  void theTilesCountedAreTheTilesRunAndTheTimeIsTheCostTheRunMeasured() throws Exception {
    Path gpkg = out.resolve("red.gpkg");
    Map<?, ?> before = json(segment("--out", gpkg.toString(), "--dry-run", "--json"));
    Cli run = segment("--out", gpkg.toString());
    assertEquals(0, run.exitCode, run.err);
    Map<String, String> summary = run.summary();
    assertEquals(summary.get("tiles"), String.valueOf(before.get("tiles")));

    Map<?, ?> after =
        json(segment("--out", out.resolve("other.gpkg").toString(), "--dry-run", "--json"));
    assertEquals(1L, after.get("cost_runs"));
    assertTrue(((String) after.get("basis")).endsWith("mean of 1 earlier run"));
    double tiles = ((Number) after.get("tiles")).doubleValue();
    double perTile = ((Number) after.get("seconds_per_tile")).doubleValue();
    double seconds = ((Number) after.get("seconds")).doubleValue();
    assertEquals(tiles * perTile, seconds, 1e-4 * seconds);
    // One earlier run of the same raster, none of its tiles skipped: its own run time.
    assertEquals("0", summary.get("tiles_skipped"));
    assertEquals(Double.parseDouble(summary.get("inference_ms")), seconds * 1e3, 0.51);
    assertFalse(Files.exists(out.resolve("other.gpkg")));
  }

  private static Map<?, ?> json(Cli dry) throws Exception {
    assertEquals(0, dry.exitCode, dry.err);
    return (Map<?, ?>) JsonReader.parse(dry.out.strip(), "dry run");
  }

  @Test
  void aDryRunRefusesWhatARealRunRefusesAndTheSameWay() throws Exception {
    Path gpkg = out.resolve("red.gpkg");
    Files.writeString(gpkg, "not mine");
    for (String[] bad :
        List.of(
            new String[] {"--out", gpkg.toString()},
            new String[] {"--out", out.resolve("a.gpkg").toString(), "--max-pixels", "1000"},
            new String[] {"--out", out.resolve("a.gpkg").toString(), "--overlap", "64"},
            new String[] {"--out", out.resolve("a.gpkg").toString(), "--bands", "1,2,9"})) {
      Cli real = segment(bad);
      String[] dryArgs =
          Stream.concat(Stream.of(bad), Stream.of("--dry-run")).toArray(String[]::new);
      Cli dry = segment(dryArgs);
      assertTrue(real.exitCode != 0, String.join(" ", bad) + ": " + real.out);
      assertEquals(real.exitCode, dry.exitCode, dry.err);
      assertEquals(real.err, dry.err);
    }
    assertEquals("not mine", Files.readString(gpkg));
    assertFalse(Files.exists(out.resolve("a.gpkg")));
  }

  @Test
  void jsonGoesWithADryRun() {
    Cli run = segment("--out", out.resolve("a.gpkg").toString(), "--json");
    assertEquals(2, run.exitCode);
    assertTrue(run.err.contains("--json goes with --dry-run"), run.err);
  }
}
