package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.GeoPackageContents;
import org.diffris.cli.testing.Scenes;
import org.diffris.cli.testing.TestBundle;
import org.diffris.pipeline.RunManifest;
import org.diffris.pipeline.SoftwareVersion;
import org.diffris.runtime.ModelBundle;
import org.diffris.runtime.json.JsonReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code diffris segment}'s run manifest, {@code OUT.run.json} beside the output, read back and
 * checked value by value against the run: its summary line, its polygons, its files.
 */
class RunManifestFileTest {
  @TempDir static Path shared;
  static Path bundle;
  static Path scene;
  @TempDir Path out;

  @BeforeAll
  static void fixtures() throws Exception {
    bundle = TestBundle.write(shared.resolve("bundle"), 64);
    scene = Scenes.twoRedRectangles(shared.resolve("scene.tif"));
  }

  private static Cli segment(Path output, String... extra) {
    List<String> args = new ArrayList<>(List.of("--out", output.toString()));
    args.addAll(List.of(extra));
    return Cli.segment(scene, "red things", bundle, args.toArray(String[]::new));
  }

  private static double number(Map<?, ?> map, String key) {
    return ((Number) map.get(key)).doubleValue();
  }

  @Test
  void theManifestSaysWhatTheRunDid() throws Exception {
    Path gpkg = out.resolve("red.gpkg");
    Cli run =
        segment(gpkg, "--threshold", "0.5", "--bands", "1,2,3", "--overlap", "16", "--batch", "2");
    assertEquals(0, run.exitCode, run.err);
    Map<String, String> summary = run.summary();
    Path file = out.resolve("red.run.json");
    assertTrue(run.out.contains("run manifest: " + file), run.out);
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(
          List.of("red.gpkg", "red.run.json"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    Map<?, ?> m = (Map<?, ?>) JsonReader.parse(Files.readString(file), file.toString());

    assertEquals(RunManifest.FORMAT, m.get("format"));
    assertEquals(summary.get("run_id"), m.get("run_id"));
    GeoPackageContents contents = GeoPackageContents.read(gpkg);
    for (GeoPackageContents.Feature f : contents.features) {
      assertEquals(m.get("run_id"), f.attributes().get("run_id"));
    }
    assertEquals("diffris segment", m.get("host"));
    Map<?, ?> software = (Map<?, ?>) m.get("software");
    assertEquals(SoftwareVersion.current().describe(), software.get("version"));
    if (Files.exists(Path.of("..", ".git"))) { // stamped from git in a checkout
      assertNotEquals("unknown", software.get("version"));
    }

    Map<?, ?> model = (Map<?, ?>) m.get("model");
    assertEquals("analytic-test", model.get("name"));
    assertEquals("0.0.1", model.get("version"));
    assertEquals(bundle.toString(), model.get("bundle"));
    assertEquals(ModelBundle.open(bundle).contentSha256(), model.get("sha256"));
    assertEquals("CPU", m.get("execution_provider"));

    Map<?, ?> options = (Map<?, ?>) m.get("options");
    assertEquals("red things", options.get("query"));
    assertEquals(0.5, number(options, "threshold"));
    assertEquals(
        List.of(1.0, 2.0, 3.0),
        ((List<?>) options.get("bands")).stream().map(b -> ((Number) b).doubleValue()).toList());
    assertEquals(summary.get("scale"), options.get("scale"));
    assertEquals(64, number(options, "tile"));
    assertEquals(16, number(options, "overlap"));
    assertEquals(2, number(options, "batch"));
    assertEquals(Double.parseDouble(summary.get("resample")), number(options, "resample_factor"));
    assertTrue(options.containsKey("roi"));
    assertNull(options.get("roi"));

    List<?> inputs = (List<?>) m.get("inputs");
    assertEquals(1, inputs.size());
    Map<?, ?> input = (Map<?, ?>) inputs.get(0);
    assertEquals("raster", input.get("role"));
    assertEquals(scene.toAbsolutePath().toString(), input.get("path"));
    assertEquals(Files.size(scene), number(input, "bytes"));
    assertEquals(Files.getLastModifiedTime(scene).toInstant().toString(), input.get("modified"));
    assertEquals(List.of(gpkg.toAbsolutePath().toString()), m.get("outputs"));

    Map<?, ?> counts = (Map<?, ?>) m.get("counts");
    assertEquals(Double.parseDouble(summary.get("tiles")), number(counts, "tiles"));
    assertEquals(Double.parseDouble(summary.get("tiles_skipped")), number(counts, "tiles_skipped"));
    assertEquals(
        number(counts, "tiles") - number(counts, "tiles_skipped"), number(counts, "tiles_run"));
    assertEquals(2, number(counts, "polygons"));
    assertEquals(contents.features.size(), number(counts, "polygons"));
    assertEquals(Double.parseDouble(summary.get("at_edge")), number(counts, "at_edge"));
    // The warnings the command printed (the analytic model's byte vocabulary spells words).
    List<?> warnings = (List<?>) m.get("warnings");
    assertEquals(warnings.size(), number(counts, "warnings"));
    assertEquals(run.err.lines().filter(l -> l.contains("warning")).count(), warnings.size());
    for (Object w : warnings) {
      assertTrue(run.err.contains((String) w), w + " not on stderr: " + run.err);
    }

    Map<?, ?> timings = (Map<?, ?>) m.get("timings_ms");
    double total = number(timings, "total");
    assertEquals(Double.parseDouble(summary.get("total_ms")), total);
    assertEquals(Double.parseDouble(summary.get("model_ms")), number(timings, "model"), 0.5);
    for (String part : List.of("model", "reading", "vectorizing")) {
      assertTrue(number(timings, part) > 0 && number(timings, part) < total, part);
    }
    // 200 x 150 pixels of 1 m.
    assertEquals(0.03, number(m, "area_km2"), 1e-12);
    assertEquals(0.03 / (total / 1000), number(m, "km2_per_s"), 1e-12);
    assertEquals(0.03, Double.parseDouble(summary.get("km2")), 1e-4);
    assertEquals(number(m, "km2_per_s"), Double.parseDouble(summary.get("km2_per_s")), 1e-4);
  }

  /** Every field a manifest holds, and every option, has its row in docs/run-manifest.md. */
  @Test
  void everyFieldIsDocumented() throws Exception {
    Cli run = segment(out.resolve("red.gpkg"));
    assertEquals(0, run.exitCode, run.err);
    Map<?, ?> m =
        (Map<?, ?>) JsonReader.parse(Files.readString(out.resolve("red.run.json")), "red.run.json");
    java.util.Set<String> documented = new java.util.HashSet<>();
    java.util.regex.Pattern name = java.util.regex.Pattern.compile("`([a-z_0-9]+)`");
    for (String line : Files.readAllLines(Path.of("..", "docs", "run-manifest.md"))) {
      if (line.startsWith("| `")) {
        java.util.regex.Matcher names = name.matcher(line.substring(0, line.indexOf(" | ", 2)));
        while (names.find()) {
          documented.add(names.group(1));
        }
      }
    }
    java.util.Set<Object> fields = new java.util.HashSet<>(m.keySet());
    fields.addAll(((Map<?, ?>) m.get("options")).keySet());
    fields.removeAll(documented);
    assertEquals(java.util.Set.of(), fields, "fields without a row in docs/run-manifest.md");
  }

  @Test
  void aGeoJsonOutputHasItsManifestToo() throws Exception {
    Cli run = segment(out.resolve("red.geojson"));
    assertEquals(0, run.exitCode, run.err);
    Map<?, ?> m =
        (Map<?, ?>) JsonReader.parse(Files.readString(out.resolve("red.run.json")), "red.run.json");
    assertEquals(run.summary().get("run_id"), m.get("run_id"));
  }

  @Test
  void anExistingManifestIsReplacedOnlyWithOverwriteAndNothingIsWrittenOtherwise()
      throws Exception {
    Path gpkg = out.resolve("red.gpkg");
    Path manifest = Files.writeString(out.resolve("red.run.json"), "mine");
    Cli refused = segment(gpkg);
    assertEquals(1, refused.exitCode, refused.err);
    assertTrue(refused.err.contains("output exists: " + manifest), refused.err);
    assertEquals("mine", Files.readString(manifest));
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(List.of(manifest), files.toList());
    }
    Cli replaced = segment(gpkg, "--overwrite");
    assertEquals(0, replaced.exitCode, replaced.err);
    assertTrue(Files.readString(manifest).contains(replaced.summary().get("run_id")));
  }

  @Test
  void aRunThatFailsLeavesNeitherOutputNorManifest() throws Exception {
    // The raster is refused while it is read: the outputs were opened, none is committed.
    Path cut = shared.resolve("cut.tif");
    byte[] bytes = Files.readAllBytes(TestBundle.root().resolve("sample-data/scenes/port.tif"));
    Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Cli run =
        Cli.run(
            "segment",
            "--raster",
            cut.toString(),
            "--query",
            "ships",
            "--model",
            bundle.toString(),
            "--device",
            "cpu",
            "--out",
            out.resolve("x.gpkg").toString());
    assertEquals(1, run.exitCode, run.err);
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(List.of(), files.toList());
    }
  }

  @Test
  void theSourceNameCanBeGivenForACopy() throws Exception {
    Path gpkg = out.resolve("red.gpkg");
    Cli run = segment(gpkg, "--source-name", "orthophoto 2026.vrt");
    assertEquals(0, run.exitCode, run.err);
    for (GeoPackageContents.Feature f : GeoPackageContents.read(gpkg).features) {
      assertEquals("orthophoto 2026.vrt", f.attributes().get("source"));
    }
    Cli empty = segment(out.resolve("e.gpkg"), "--source-name", " ");
    assertEquals(2, empty.exitCode, empty.err);
    assertTrue(empty.err.contains("--source-name must not be empty"), empty.err);
  }
}
