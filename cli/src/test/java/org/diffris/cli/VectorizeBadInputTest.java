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
import org.diffris.cli.testing.TestRasters;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every way {@code diffris vectorize} can be called wrongly: the exit status, a one-line message
 * on stderr naming the problem, nothing on stdout, and no file left in the output folder.
 */
class VectorizeBadInputTest {
  @TempDir Path inputs;
  @TempDir Path outputs;
  private Path good;

  @BeforeEach
  void setUp() {
    good = Cli.sampleMask("blobs_utm.tif");
  }

  private void assertFails(int exitCode, String messagePart, String... args) throws Exception {
    Cli run = Cli.run(args);
    assertEquals(exitCode, run.exitCode, "stderr: " + run.err);
    String err = run.err.strip();
    assertEquals(1, err.lines().count(), "not one line: " + err);
    assertTrue(err.contains(messagePart), "message '" + err + "' lacks '" + messagePart + "'");
    assertEquals("", run.out);
    try (Stream<Path> files = Files.list(outputs)) {
      assertEquals(List.of(), files.toList(), "output folder not left empty");
    }
  }

  private String out(String name) {
    return outputs.resolve(name).toString();
  }

  @Test
  void textFileIsNotAGeoTiff() throws Exception {
    Path text = Files.writeString(inputs.resolve("notes.tif"), "not a raster\n");
    assertFails(
        1,
        "not a readable GeoTIFF",
        "vectorize",
        "--mask",
        text.toString(),
        "--out",
        out("a.gpkg"));
  }

  @Test
  void truncatedTiffIsUnreadable() throws Exception {
    byte[] bytes = Files.readAllBytes(good);
    Path cut = Files.write(inputs.resolve("cut.tif"), java.util.Arrays.copyOf(bytes, 200));
    assertFails(1, "cut.tif", "vectorize", "--mask", cut.toString(), "--out", out("a.gpkg"));
  }

  @Test
  void missingMask() throws Exception {
    assertFails(
        1,
        "mask not found",
        "vectorize",
        "--mask",
        inputs.resolve("nope.tif").toString(),
        "--out",
        out("a.gpkg"));
  }

  @Test
  void bandThatDoesNotExist() throws Exception {
    Path rgb =
        TestRasters.write(
            inputs.resolve("rgb.tif"), new BufferedImage(20, 10, BufferedImage.TYPE_3BYTE_BGR));
    assertFails(
        1,
        "band 4 requested, raster has 3 bands",
        "vectorize",
        "--mask",
        rgb.toString(),
        "--out",
        out("a.gpkg"),
        "--band",
        "4");
    assertFails(
        2,
        "--band counts from 1",
        "vectorize",
        "--mask",
        rgb.toString(),
        "--out",
        out("a.gpkg"),
        "--band",
        "0");
  }

  @Test
  void tiffWithoutGeoreferencing() throws Exception {
    Path plain = inputs.resolve("plain.tif");
    assertTrue(
        ImageIO.write(
            new BufferedImage(20, 10, BufferedImage.TYPE_BYTE_GRAY), "tiff", plain.toFile()));
    assertFails(
        1, "no georeferencing", "vectorize", "--mask", plain.toString(), "--out", out("a.gpkg"));
  }

  @Test
  void existingOutputIsKeptWithoutOverwrite() throws Exception {
    Path existing = Files.writeString(inputs.resolve("keep.gpkg"), "precious");
    Cli run = Cli.run("vectorize", "--mask", good.toString(), "--out", existing.toString());
    assertEquals(1, run.exitCode);
    assertTrue(run.err.contains("output exists") && run.err.contains("--overwrite"), run.err);
    assertEquals("precious", Files.readString(existing));
    try (Stream<Path> files = Files.list(inputs)) {
      assertEquals(List.of(existing), files.toList());
    }
  }

  @Test
  void unknownOutputExtension() throws Exception {
    assertFails(
        2,
        "unknown output extension: a.shp (accepted: .gpkg, .geojson",
        "vectorize",
        "--mask",
        good.toString(),
        "--out",
        out("a.shp"));
  }

  @Test
  void outputFolderMissing() throws Exception {
    assertFails(
        1,
        "output folder does not exist",
        "vectorize",
        "--mask",
        good.toString(),
        "--out",
        outputs.resolve("no/such/dir/a.gpkg").toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "1", "1.5", "-0.2", "NaN"})
  void thresholdOutsideOpenUnitInterval(String threshold) throws Exception {
    assertFails(
        2,
        "--threshold must be between 0 and 1",
        "vectorize",
        "--mask",
        good.toString(),
        "--out",
        out("a.gpkg"),
        "--threshold",
        threshold);
  }

  @Test
  void thresholdThatIsNotANumber() throws Exception {
    assertFails(
        2,
        "--threshold",
        "vectorize",
        "--mask",
        good.toString(),
        "--out",
        out("a.gpkg"),
        "--threshold",
        "half");
  }

  @Test
  void connectivityOtherThanFourOrEight() throws Exception {
    assertFails(
        2,
        "--connectivity must be 4 or 8, got 6",
        "vectorize",
        "--mask",
        good.toString(),
        "--out",
        out("a.gpkg"),
        "--connectivity",
        "6");
  }

  @Test
  void negativeFilters() throws Exception {
    assertFails(
        2,
        "--min-area must be >= 0",
        "vectorize",
        "--mask",
        good.toString(),
        "--out",
        out("a.gpkg"),
        "--min-area",
        "-1");
    assertFails(
        2,
        "--simplify must be >= 0",
        "vectorize",
        "--mask",
        good.toString(),
        "--out",
        out("a.gpkg"),
        "--simplify",
        "-1");
    assertFails(
        2,
        "--max-features must be >= 1",
        "vectorize",
        "--mask",
        good.toString(),
        "--out",
        out("a.gpkg"),
        "--max-features",
        "0");
  }

  @Test
  void missingRequiredOptions() throws Exception {
    assertFails(2, "Missing required option: '--mask", "vectorize", "--out", out("a.gpkg"));
    assertFails(2, "Missing required option: '--out", "vectorize", "--mask", good.toString());
  }

  @Test
  void geoJsonAndGeoPackageFailTheSameWay() throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "vectorize", "--mask", good.toString(), "--out", out("a.geojson"), "--band", "2"));
    assertFails(1, "band 2 requested, raster has 1 band", args.toArray(String[]::new));
  }

  /** A user's input is never written, whatever path names it. */
  @Test
  void outputIsTheMask() throws Exception {
    Path input = Files.copy(good, inputs.resolve("mask.gpkg"), REPLACE_EXISTING);
    byte[] before = Files.readAllBytes(input);
    assertFails(
        1,
        "--out " + input + " is the input --mask",
        "vectorize",
        "--mask",
        input.toString(),
        "--out",
        input.toString(),
        "--overwrite");
    Path link = inputs.resolve("link.gpkg");
    Files.deleteIfExists(link);
    Files.createSymbolicLink(link, input);
    assertFails(
        1,
        "is the input --mask",
        "vectorize",
        "--mask",
        input.toString(),
        "--out",
        link.toString(),
        "--overwrite");
    assertArrayEquals(before, Files.readAllBytes(input));
  }

  /** Complex samples and pixels without size are refused by name; the mask is not touched. */
  @Test
  void complexSamplesAndPixelsWithoutSize() throws Exception {
    assumeTrue(Gdal.onPath("gdal_translate"), Gdal.SKIP_MESSAGE);
    Path complex = inputs.resolve("complex.tif");
    Gdal.translate(good, complex, "-ot", "CInt16");
    Path noSize = inputs.resolve("no-size.tif");
    Gdal.translate(good, noSize, "-a_ullr", "500000", "5300000", "500100", "5300000");
    byte[] before = Files.readAllBytes(complex);
    assertFails(
        1, "complex samples", "vectorize", "--mask", complex.toString(), "--out", out("a.gpkg"));
    assertArrayEquals(before, Files.readAllBytes(complex));
    assertFails(
        1,
        "gives its pixels no size",
        "vectorize",
        "--mask",
        noSize.toString(),
        "--out",
        out("a.geojson"));
  }
}
