package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.Gdal;
import org.diffris.cli.testing.GeoPackageContents;
import org.diffris.cli.testing.TestBundle;
import org.diffris.cli.testing.TestRasters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same scene gives the same answer however it is stored: copies of a sample scene written by
 * GDAL as users get imagery (16-bit, 11 significant bits in 16 or packed as NBITS=11, float
 * 0–1, RGBA, blue-green-red with its colour interpretation) feed the model the 8-bit scene's
 * values, and a float reflectance copy (0–10000 at a third of the brightness) stays close with
 * {@code --scale auto}.
 * The default run checks probabilities on a crop of the port scene; the slow one ({@code -Pslow})
 * every query of {@code sample-data/scenes/queries.tsv} against its ground truth, per encoding.
 */
class EncodingIndependenceTest {
  /** Bands 1-3 and a fourth band of 255 said to be alpha (band 1 scaled to a constant). */
  static final List<String> RGBA =
      List.of(
          "-b",
          "1",
          "-b",
          "2",
          "-b",
          "3",
          "-b",
          "1",
          "-scale_4",
          "0",
          "255",
          "255",
          "255",
          "-colorinterp",
          "red,green,blue,alpha");

  /** The lossless re-encodings: name, then gdal_translate options. */
  static final Map<String, List<String>> LOSSLESS = new LinkedHashMap<>();

  static {
    LOSSLESS.put("UInt16 x 257", List.of("-ot", "UInt16", "-scale", "0", "255", "0", "65535"));
    LOSSLESS.put(
        "UInt16 x 8 (11 bits)", List.of("-ot", "UInt16", "-scale", "0", "255", "0", "2040"));
    LOSSLESS.put(
        "UInt16 x 8 packed NBITS=11",
        List.of("-ot", "UInt16", "-scale", "0", "255", "0", "2040", "-co", "NBITS=11"));
    LOSSLESS.put("Float32 0-1", List.of("-ot", "Float32", "-scale", "0", "255", "0", "1"));
    LOSSLESS.put("RGBA, alpha 255", RGBA);
    LOSSLESS.put("BGR", List.of("-b", "3", "-b", "2", "-b", "1", "-colorinterp", "blue,green,red"));
  }

  /** 8-bit colours as surface reflectance: 0 to 10000 at about a third of the brightness. */
  static final List<String> REFLECTANCE =
      List.of("-ot", "Float32", "-scale", "0", "255", "0", "3333.3333");

  @TempDir static Path dir;

  @BeforeAll
  static void needs() {
    assumeTrue(TestBundle.embeddedExists(), "the embedded bundle is not built");
    assumeTrue(Gdal.onPath("gdal_translate"), "gdal_translate not on PATH (Debian's gdal-bin)");
  }

  @Test
  void losslessCopiesOfACropFeedTheModelTheSameValues() throws Exception {
    Path scene = TestBundle.root().resolve("sample-data/scenes/port.tif");
    Path crop = translate(scene, "crop.tif", List.of("-srcwin", "768", "128", "512", "512"));
    Map<String, String> original = segment(crop, "white storage tanks", "original", null);
    assertEquals("bundle", original.get("scale"));
    float[] expected = TestRasters.firstBand(dir.resolve("original-p.tif"));
    int n = 0;
    for (Map.Entry<String, List<String>> variant : LOSSLESS.entrySet()) {
      Path copy = translate(crop, "v" + n + ".tif", variant.getValue());
      Map<String, String> summary = segment(copy, "white storage tanks", "v" + n, null);
      float[] actual = TestRasters.firstBand(dir.resolve("v" + n + "-p.tif"));
      String name = variant.getKey();
      // 11 significant bits span 0 to 2047, so x 8 makes a 0.3 % darker image than 8 bits do
      boolean darker = name.contains("x 8");
      double worst = 0;
      int flipped = 0;
      for (int i = 0; i < expected.length; i++) {
        worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        flipped += (expected[i] >= 0.5) != (actual[i] >= 0.5) ? 1 : 0;
      }
      assertTrue(worst <= (darker ? 0.1 : 1e-4), name + ": probabilities differ by " + worst);
      assertTrue(flipped <= (darker ? expected.length / 1000 : 0), name + ": " + flipped);
      String scale =
          switch (name) {
            case "UInt16 x 257" -> "bits:16";
            case "UInt16 x 8 (11 bits)", "UInt16 x 8 packed NBITS=11" -> "bits:11";
            case "Float32 0-1" -> "range:0,1";
            default -> "bundle";
          };
      assertEquals(scale, summary.get("scale"), name);
      assertEquals(name.equals("BGR") ? "3,2,1" : "1,2,3", summary.get("bands"), name);
      n++;
    }
  }

  @Test
  void alphaZeroAndAnInternalMaskAreNodataNeverAnAnswer() throws Exception {
    Path scene = TestBundle.root().resolve("sample-data/scenes/port.tif");
    Path rgba =
        translate(
            scene,
            "rgba.tif",
            Stream.concat(Stream.of("-srcwin", "768", "128", "512", "512"), RGBA.stream())
                .toList());
    // alpha 0 on the left half: a GeoJSON box burned into band 4
    Path box = dir.resolve("box.geojson");
    Files.writeString(
        box,
        "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
            + "{\"name\":\"EPSG:32633\"}},\"features\":[{\"type\":\"Feature\",\"properties\":{},"
            + "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[402300,5058000],[402448,"
            + "5058000],[402448,5059000],[402300,5059000],[402300,5058000]]]}}]}");
    Gdal.run(
        List.of("gdal_rasterize", "-q", "-b", "4", "-burn", "0", box.toString(), rgba.toString()));
    // The same hole as GDAL's internal mask (a 1-bit image in the TIFF) of an RGB file.
    Path masked = dir.resolve("masked.tif");
    Gdal.run(
        List.of(
            "gdal_translate",
            "-q",
            "--config",
            "GDAL_TIFF_INTERNAL_MASK",
            "YES",
            "-b",
            "1",
            "-b",
            "2",
            "-b",
            "3",
            "-mask",
            "4",
            rgba.toString(),
            masked.toString()));
    for (Path file : List.of(rgba, masked)) {
      String name = file.getFileName().toString().replace(".tif", "") + "-out";
      Map<String, String> summary = segment(file, "white storage tanks", name, null);
      float[] p = TestRasters.firstBand(dir.resolve(name + "-p.tif"));
      // columns 0..127 (402384..402448 m) lie inside the box: nodata
      int nan = 0;
      for (int r = 0; r < 512; r++) {
        for (int c = 0; c < 512; c++) {
          boolean inBox = c < 128;
          assertEquals(inBox, Float.isNaN(p[r * 512 + c]), name + " pixel " + c + "," + r);
          nan += inBox ? 1 : 0;
        }
      }
      assertEquals(128 * 512, nan);
      for (GeoPackageContents.Feature f :
          GeoPackageContents.read(dir.resolve(name + ".gpkg")).features) {
        assertTrue(f.geometry().getEnvelopeInternal().getMinX() >= 402448, "polygon in the hole");
      }
      assertTrue(Integer.parseInt(summary.get("polygons")) > 0);
    }
  }

  @Test
  @Tag("slow")
  void everyQueryOfEveryEncodingAgainstTheGroundTruth() throws Exception {
    Path scenes = TestBundle.root().resolve("sample-data/scenes");
    List<String[]> queries = new ArrayList<>();
    for (String line : Files.readAllLines(scenes.resolve("queries.tsv"), StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        queries.add(line.split("\t"));
      }
    }
    Map<String, List<String>> encodings = new LinkedHashMap<>();
    encodings.put("8-bit original", List.of());
    encodings.putAll(LOSSLESS);
    encodings.put("Float32 reflectance (auto)", REFLECTANCE);
    encodings.put("Float32 reflectance (--scale range:0,3333.3333)", REFLECTANCE);
    Map<String, Double> means = new LinkedHashMap<>();
    StringBuilder report = new StringBuilder();
    int e = 0;
    for (Map.Entry<String, List<String>> encoding : encodings.entrySet()) {
      String name = encoding.getKey();
      // An explicit rule also skips the probability file these runs do not need.
      String scale = name.contains("--scale") ? "range:0,3333.3333" : "auto";
      double sum = 0;
      String rules = "";
      for (int q = 0; q < queries.size(); q++) {
        String[] f = queries.get(q);
        Path raster = scenes.resolve(f[0]);
        if (!encoding.getValue().isEmpty()) {
          Path copy = dir.resolve("e" + e + "-" + f[0]);
          raster =
              Files.exists(copy)
                  ? copy
                  : translate(raster, copy.getFileName().toString(), encoding.getValue());
        }
        String out = "e" + e + "q" + q;
        Map<String, String> summary = segment(raster, f[1], out, scale);
        if (!rules.contains(summary.get("scale"))) {
          rules += (rules.isEmpty() ? "" : " ") + summary.get("scale");
        }
        sum +=
            SegmentSampleScenesTest.iou(
                scenes.resolve(f[2]), GeoPackageContents.read(dir.resolve(out + ".gpkg")));
      }
      double mean = sum / queries.size();
      means.put(name, mean);
      report.append(
          String.format(Locale.ROOT, "%-50s mean IoU %.3f  scale %s%n", name, mean, rules));
      e++;
    }
    System.out.print(report);
    double original = means.get("8-bit original");
    for (String name : LOSSLESS.keySet()) {
      assertEquals(original, means.get(name), 0.01, name + "\n" + report);
    }
    assertTrue(
        means.get("Float32 reflectance (auto)") >= original - 0.05,
        "reflectance with auto\n" + report);
  }

  static Path translate(Path source, String name, List<String> options) throws Exception {
    Path out = dir.resolve(name);
    List<String> command = new ArrayList<>(List.of("gdal_translate", "-q"));
    command.addAll(options);
    command.addAll(List.of(source.toString(), out.toString()));
    Gdal.run(command);
    return out;
  }

  /** Runs segment, writing NAME.gpkg and NAME-p.tif (probabilities); returns the summary. */
  static Map<String, String> segment(Path raster, String query, String name, String scale) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "segment",
                "--raster",
                raster.toString(),
                "--query",
                query,
                "--out",
                dir.resolve(name + ".gpkg").toString(),
                "--device",
                "cpu"));
    if (scale == null) {
      args.addAll(List.of("--probabilities", dir.resolve(name + "-p.tif").toString()));
    } else {
      args.addAll(List.of("--scale", scale));
    }
    Cli run = Cli.run(args.toArray(String[]::new));
    assertEquals(0, run.exitCode, run.err);
    return run.summary();
  }
}
