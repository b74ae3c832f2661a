package org.diffris.cli;

import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.Gdal;
import org.diffris.cli.testing.GeoPackageContents;
import org.diffris.cli.testing.Scenes;
import org.diffris.cli.testing.TestBundle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way {@code diffris segment} can be called wrongly: the exit status, one line on stderr
 * naming the problem, nothing on stdout, and nothing left in the output folder.
 */
class SegmentBadInputTest {
  @TempDir static Path shared;
  static Path bundle;
  static Path scene;
  @TempDir Path outputs;

  @BeforeAll
  static void fixtures() throws Exception {
    bundle = TestBundle.write(shared.resolve("bundle"), 64);
    scene = Scenes.twoRedRectangles(shared.resolve("scene.tif"));
  }

  private void assertFails(int exitCode, String messagePart, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("segment"));
    all.addAll(List.of(args));
    Cli run = Cli.run(all.toArray(new String[0]));
    assertEquals(exitCode, run.exitCode, "stderr: " + run.err);
    String err = run.err.strip();
    assertEquals(1, err.lines().count(), "not one line: " + err);
    assertTrue(err.contains(messagePart), "message '" + err + "' lacks '" + messagePart + "'");
    assertTrue(run.out.isEmpty() || !run.out.contains("polygons="), run.out);
    try (Stream<Path> files = Files.list(outputs)) {
      assertEquals(List.of(), files.toList(), "output folder not left empty");
    }
  }

  private String[] with(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--raster",
                scene.toString(),
                "--query",
                "car", // one token of the test vocabulary: no warning line
                "--model",
                bundle.toString(),
                "--device",
                "cpu",
                "--out",
                outputs.resolve("out.gpkg").toString(),
                "--probabilities",
                outputs.resolve("p.tif").toString(),
                "--preview",
                outputs.resolve("p.png").toString()));
    for (int i = 0; i < extra.length; i += 2) {
      int at = args.indexOf(extra[i]);
      if (at >= 0) {
        args.set(at + 1, extra[i + 1]);
      } else {
        args.add(extra[i]);
        if (extra[i + 1] != null) { // null: a flag without a value
          args.add(extra[i + 1]);
        }
      }
    }
    return args.toArray(new String[0]);
  }

  @Test
  void missingRaster() throws Exception {
    assertFails(1, "raster not found", with("--raster", shared.resolve("nope.tif").toString()));
  }

  @Test
  void textFileIsNotAGeoTiff() throws Exception {
    Path text = Files.writeString(shared.resolve("notes.tif"), "not a raster\n");
    assertFails(1, "not a readable GeoTIFF", with("--raster", text.toString()));
  }

  @Test
  void plainTiffHasNoGeoreferencing() throws Exception {
    Path plain = shared.resolve("plain.tif");
    ImageIO.write(new BufferedImage(32, 32, BufferedImage.TYPE_3BYTE_BGR), "tif", plain.toFile());
    assertFails(1, "no georeferencing", with("--raster", plain.toString()));
  }

  @Test
  void bandThatDoesNotExist() throws Exception {
    assertFails(1, "band 4 requested, the raster has 3 bands", with("--bands", "1,2,4"));
  }

  @Test
  void wrongNumberOfBands() throws Exception {
    assertFails(2, "--bands lists 2 bands (1,2), the model takes 3", with("--bands", "1,2"));
  }

  @Test
  void badBandList() throws Exception {
    assertFails(
        2,
        "--bands 'red,green,blue' not understood: give band numbers counted from 1",
        with("--bands", "red,green,blue"));
    assertFails(2, "--bands '0,1,2' not understood", with("--bands", "0,1,2"));
  }

  @Test
  void emptyOrBlankQuery() throws Exception {
    assertFails(2, "--query is empty", with("--query", ""));
    assertFails(2, "--query is empty", with("--query", "   \t"));
  }

  /** No-break spaces and format characters are nothing to find: refused, never an empty query. */
  @Test
  void queryOfOnlyInvisibleCharacters() throws Exception {
    assertFails(
        2,
        "--query holds no visible character (only U+00A0): describe the objects to find",
        with("--query", "\u00a0\u00a0\u00a0"));
    assertFails(
        2,
        "--query holds no visible character (only U+0020, U+200B, U+FEFF)",
        with("--query", "\ufeff \u200b"));
    assertFails(2, "(only U+2007, U+202F)", with("--query", "\u2007\u202f"));
  }

  @Test
  void thresholdOutsideZeroOne() throws Exception {
    for (String t : new String[] {"0", "1", "-0.2", "1.5", "NaN"}) {
      assertFails(2, "--threshold must be between 0 and 1", with("--threshold", t));
    }
  }

  @Test
  void missingBundle() throws Exception {
    assertFails(1, "model bundle not found", with("--model", shared.resolve("none").toString()));
  }

  @Test
  void corruptBundle() throws Exception {
    Path broken = TestBundle.write(shared.resolve("broken"), 64);
    Files.writeString(broken.resolve("model.json"), "{\"name\": \"x\",");
    assertFails(1, "model.json", with("--model", broken.toString()));
    Path noGraph = TestBundle.write(shared.resolve("no-graph"), 64);
    Files.delete(noGraph.resolve("segmenter.onnx"));
    assertFails(1, "segmenter.onnx", with("--model", noGraph.toString()));
    Path garbage = TestBundle.write(shared.resolve("garbage"), 64);
    Files.writeString(garbage.resolve("segmenter.onnx"), "not a graph");
    assertFails(1, "segmenter.onnx", with("--model", garbage.toString()));
  }

  @Test
  void cudaOnTheCpuBuild() throws Exception {
    assertFails(1, "--device cuda", with("--device", "cuda"));
  }

  @Test
  void unknownDevice() throws Exception {
    assertFails(2, "--device", with("--device", "tpu"));
  }

  @Test
  void badOutputNames() throws Exception {
    assertFails(2, "unknown output extension", with("--out", outputs.resolve("o.shp").toString()));
    assertFails(
        2,
        "--probabilities must name a .tif",
        with(
            "--probabilities",
            outputs.resolve("p.png").toString(),
            "--preview",
            outputs.resolve("q.png").toString()));
    assertFails(
        2, "--preview must name a .png", with("--preview", outputs.resolve("p.jpg").toString()));
  }

  @Test
  void outputExistsWithoutOverwrite() throws Exception {
    Path existing = shared.resolve("exists.gpkg");
    Files.writeString(existing, "old");
    assertFails(1, "output exists", with("--out", existing.toString()));
    assertEquals("old", Files.readString(existing));
  }

  /** Georeferencing that cannot be used says why and what to do, before anything is read. */
  @Test
  void groundControlPointsAndLatitudesBeyondThePoles() throws Exception {
    assumeTrue(Gdal.onPath("gdal_translate"), "gdal_translate not on PATH");
    Path gcp = shared.resolve("gcp.tif");
    Gdal.translate(
        scene,
        gcp,
        "-gcp",
        "0",
        "0",
        "500000",
        "5300000",
        "-gcp",
        "200",
        "0",
        "500200",
        "5300000",
        "-gcp",
        "0",
        "150",
        "500000",
        "5299850",
        "-a_srs",
        "EPSG:32633");
    assertFails(
        1,
        "raster is georeferenced by 3 ground control points (GCPs), which are not supported:"
            + " warp it to a regular grid first (gdalwarp -r bilinear IN.tif OUT.tif)",
        with("--raster", gcp.toString()));
    Path beyond = shared.resolve("lat95.tif");
    Gdal.translate(
        scene, beyond, "-a_srs", "EPSG:4326", "-a_ullr", "10", "95", "10.002", "94.9985");
    assertFails(
        1,
        "raster reaches latitude 95.0000, beyond the poles: its georeferencing is wrong",
        with("--raster", beyond.toString()));
  }

  @Test
  void badTiling() throws Exception {
    assertFails(2, "--tile must be 1 to 4096", with("--tile", "0"));
    assertFails(
        2,
        "--tile must be 1 to 4096 pixels of the model's grid, got 32768",
        with("--tile", "32768"));
    assertFails(2, "overlap", with("--tile", "64", "--overlap", "64"));
    assertFails(2, "--batch must be 1 to 256", with("--batch", "0"));
  }

  /**
   * A raster too wide for this JVM's heap (the job's memory grows with the width, not the
   * height) is refused before it is read, with how much it needs and the setting to change; a
   * pixel cap refuses it by its size.
   */
  @Test
  void rasterTooLargeForThisJvmOrTheCap() throws Exception {
    assumeTrue(Gdal.onPath("gdal_create"), Gdal.SKIP_MESSAGE);
    Path wide = shared.resolve("wide.tif");
    Gdal.create(wide, 3000000, 8, 3, "Byte", 0.5, "-co", "TILED=YES", "-co", "COMPRESS=DEFLATE");
    byte[] before = Files.readAllBytes(wide);
    assertFails(1, "the raster is 3000000 pixels wide", with("--raster", wide.toString()));
    assertFails(1, "GiB of Java heap, more than the", with("--raster", wide.toString()));
    assertFails(1, "JAVA_OPTS=-Xmx", with("--raster", wide.toString()));
    assertArrayEquals(before, Files.readAllBytes(wide));

    // 256 tiles of 4096 x 4096 (4 channels with the logits) are 64 GiB: more than any test JVM.
    // (On a raster whose model grid is 4096 pixels or more: a smaller one gets smaller tiles.)
    Path long1 = shared.resolve("long.tif");
    Gdal.create(long1, 8200, 8, 3, "Byte", 0.5);
    assertFails(
        1,
        "with tiles of 4096 model pixels in batches of 256 the job needs about 6",
        with("--raster", long1.toString(), "--tile", "4096", "--batch", "256"));
    assertFails(1, "pixels), above the limit of 1000 (--max-pixels)", with("--max-pixels", "1000"));
    assertFails(2, "--max-pixels must be 1 or more, got 0", with("--max-pixels", "0"));
  }

  /** A user's input is never written, whatever path names it. */
  @Test
  void noOutputIsTheInput() throws Exception {
    Path input = Files.copy(scene, shared.resolve("input.tif"), REPLACE_EXISTING);
    byte[] before = Files.readAllBytes(input);
    String raster = input.toString();
    assertFails(
        1,
        "--probabilities " + raster + " is the input --raster",
        with("--raster", raster, "--probabilities", raster, "--overwrite", null));
    // A GeoTIFF named like a GeoPackage, given as input and output.
    Path disguised = Files.copy(scene, shared.resolve("scene.gpkg"), REPLACE_EXISTING);
    assertFails(
        1,
        "is the input --raster",
        with("--raster", disguised.toString(), "--out", disguised.toString(), "--overwrite", null));
    Path link = shared.resolve("link.tif");
    Files.deleteIfExists(link);
    Files.createSymbolicLink(link, input);
    assertFails(
        1,
        "is the input --raster",
        with("--raster", raster, "--probabilities", link.toString(), "--overwrite", null));
    Path hard = shared.resolve("hard.tif");
    Files.deleteIfExists(hard);
    Files.createLink(hard, input);
    assertFails(
        1,
        "is the input --raster",
        with("--raster", raster, "--probabilities", hard.toString(), "--overwrite", null));
    Path dotted = shared.resolve("x").resolve("..").resolve("input.tif");
    Files.createDirectories(shared.resolve("x"));
    assertFails(
        1,
        "is the input --raster",
        with("--raster", raster, "--probabilities", dotted.toString(), "--overwrite", null));
    assertArrayEquals(before, Files.readAllBytes(input));
    assertArrayEquals(before, Files.readAllBytes(disguised));
  }

  @Test
  void twoOutputsThatAreOneFile() throws Exception {
    Path out = Files.writeString(shared.resolve("both.gpkg"), "old");
    Path preview = shared.resolve("both.png");
    Files.deleteIfExists(preview);
    Files.createSymbolicLink(preview, out);
    assertFails(
        1,
        "--out and --preview name the same file",
        with("--out", out.toString(), "--preview", preview.toString(), "--overwrite", null));
    assertEquals("old", Files.readString(out));
  }

  @Test
  void rasterThatIsNotAFile() throws Exception {
    Path folder = Files.createDirectories(shared.resolve("folder.tif"));
    assertFails(1, "raster is a folder, not a file", with("--raster", folder.toString()));
    assertFails(
        1,
        "raster is not a regular file (a device, pipe or socket)",
        with("--raster", "/dev/zero"));
    Path fifo = shared.resolve("fifo.tif");
    if (!Files.exists(fifo)) {
      new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
    }
    assertFails(1, "raster is not a regular file", with("--raster", fifo.toString()));
  }

  /** An output that cannot be written fails before the first tile, naming its path. */
  @Test
  void sideOutputThatCannotBeWritten() throws Exception {
    assertFails(1, "cannot write /proc/p.tif", with("--probabilities", "/proc/p.tif"));
    assertFails(1, "cannot write /proc/p.png", with("--preview", "/proc/p.png"));
    assertFails(1, "cannot write /proc/out.gpkg", with("--out", "/proc/out.gpkg"));
  }

  /** Rasters no model can read, refused by name before anything is written; the input unchanged. */
  @Test
  void complexSamplesAndPixelsWithoutSize() throws Exception {
    assumeTrue(Gdal.onPath("gdal_translate"), Gdal.SKIP_MESSAGE);
    Path complex = shared.resolve("complex.tif");
    Gdal.translate(scene, complex, "-ot", "CFloat32");
    Path noSize = shared.resolve("no-size.tif");
    Gdal.translate(scene, noSize, "-a_ullr", "500000", "5300000", "500000", "5300000");
    for (Path raster : List.of(complex, noSize)) {
      byte[] before = Files.readAllBytes(raster);
      assertFails(
          1,
          raster.equals(complex)
              ? "raster stores complex samples (radar data, for example)"
              : "raster's georeferencing gives its pixels no size",
          with("--raster", raster.toString()));
      assertArrayEquals(before, Files.readAllBytes(raster));
    }
  }

  /** A query with control characters (a paste gone wrong, terminal escapes) is an option error. */
  @Test
  void queryWithControlCharacters() throws Exception {
    assertFails(
        2,
        "--query contains the control character U+001B at position 4",
        with("--query", "car\u001b[31m"));
  }

  /**
   * Degenerate rasters that are still imagery get an answer, not an error, with all three
   * outputs: one pixel, one row, every pixel nodata, every pixel NaN (nothing to find in the
   * last two: no tile reaches the model).
   */
  @Test
  void degenerateRastersGetAnAnswer() throws Exception {
    assumeTrue(Gdal.onPath("gdal_create"), Gdal.SKIP_MESSAGE);
    String[][] cases = {
      {"one-pixel", "1", "1", "Byte", "200", "", "1", "0"},
      {"one-row", "3000", "1", "Byte", "200", "", "", "0"},
      {"all-nodata", "300", "300", "Byte", "0", "0", "", "16"},
      {"all-nan", "300", "300", "Float32", "nan", "", "", "16"}
    };
    for (String[] c : cases) {
      Path raster = shared.resolve(c[0] + ".tif");
      List<String> extra = new ArrayList<>(List.of("-burn", c[4]));
      if (!c[5].isEmpty()) {
        extra.addAll(List.of("-a_nodata", c[5]));
      }
      Gdal.create(
          raster,
          Integer.parseInt(c[1]),
          Integer.parseInt(c[2]),
          3,
          c[3],
          0.5,
          extra.toArray(new String[0]));
      Path out = outputs.resolve(c[0] + ".gpkg");
      List<String> args = new ArrayList<>(List.of("segment"));
      args.addAll(
          List.of(
              with(
                  "--raster",
                  raster.toString(),
                  "--out",
                  out.toString(),
                  "--probabilities",
                  outputs.resolve(c[0] + ".tif").toString(),
                  "--preview",
                  outputs.resolve(c[0] + ".png").toString())));
      Cli run = Cli.run(args.toArray(new String[0]));
      assertEquals(0, run.exitCode, c[0] + ": " + run.err);
      if (!c[6].isEmpty()) {
        assertEquals(c[6], run.summary().get("tiles"), c[0]);
      }
      assertEquals(c[7], run.summary().get("tiles_skipped"), c[0]);
      int features = GeoPackageContents.read(out).features.size();
      assertEquals(run.summary().get("polygons"), String.valueOf(features), c[0]);
      if (!c[7].equals("0")) {
        assertEquals(0, features, c[0] + ": an answer where every pixel is nodata");
      }
      assertTrue(Files.size(outputs.resolve(c[0] + ".tif")) > 0, c[0]);
      assertTrue(Files.size(outputs.resolve(c[0] + ".png")) > 0, c[0]);
    }
  }
}
