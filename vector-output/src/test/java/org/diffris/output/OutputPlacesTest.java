package org.diffris.output;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diffris.output.OutputPlaces.Place;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No output is, holds or lies inside an input or another output, whatever names the places. */
class OutputPlacesTest {
  @TempDir Path dir;

  private String refusal(List<Place> inputs, List<Place> outputs) {
    return assertThrows(
            OutputPlaces.RefusedException.class, () -> OutputPlaces.check(inputs, outputs))
        .getMessage();
  }

  private static Place in(String option, Path p) {
    return OutputPlaces.local(option, p);
  }

  @Test
  void anOutputThatIsAnInputByAnyNameIsRefused() throws Exception {
    Path raster = Files.writeString(dir.resolve("a.tif"), "x");
    Path link = Files.createSymbolicLink(dir.resolve("link.tif"), raster);
    Path hard = Files.createLink(dir.resolve("hard.tif"), raster);
    Files.createDirectories(dir.resolve("x"));
    Path dotted = dir.resolve("x").resolve("..").resolve("a.tif");
    for (Path name : List.of(raster, link, hard, dotted)) {
      String e = refusal(List.of(in("--raster", raster)), List.of(in("--out", name)));
      assertTrue(e.startsWith("--out " + name + " is the input --raster"), e);
    }
  }

  @Test
  void anOutputFolderThatHoldsAnInputOrLiesInsideOneIsRefused() throws Exception {
    Path bundle = Files.createDirectories(dir.resolve("bundle"));
    Path model = Files.writeString(bundle.resolve("model.json"), "{}");
    Path list =
        Files.writeString(Files.createDirectories(dir.resolve("lists")).resolve("r.txt"), "a.tif");
    String holds =
        refusal(List.of(in("--raster-list", list)), List.of(in("--out", dir.resolve("lists"))));
    assertTrue(
        holds.contains("--out " + dir.resolve("lists") + " holds the input --raster-list"), holds);
    String inside =
        refusal(List.of(in("--model", bundle)), List.of(in("--out", bundle.resolve("o.parquet"))));
    assertTrue(inside.contains("lies inside the input --model " + bundle), inside);
    // Through a link to the folder that holds the input.
    Path linkToBundle = Files.createSymbolicLink(dir.resolve("b2"), bundle);
    String linked = refusal(List.of(in("--model", model)), List.of(in("--out", linkToBundle)));
    assertTrue(linked.contains("holds the input --model"), linked);
    assertDoesNotThrow(
        () ->
            OutputPlaces.check(
                List.of(in("--model", bundle)), List.of(in("--out", dir.resolve("bundle2")))));
  }

  @Test
  void outputsThatCollideOrNestAreRefused() throws Exception {
    Path out = dir.resolve("out.parquet");
    String same =
        refusal(
            List.of(), List.of(in("--out", out), in("--failures", dir.resolve("./out.parquet"))));
    assertTrue(same.startsWith("--out and --failures name the same file or folder"), same);
    String nested =
        refusal(List.of(), List.of(in("--out", out), in("--gpkg", out.resolve("a.gpkg"))));
    assertTrue(nested.startsWith("--gpkg " + out.resolve("a.gpkg") + " lies inside --out"), nested);
    String outer =
        refusal(List.of(), List.of(in("--out", out.resolve("x")), in("--failures", out)));
    assertTrue(outer.startsWith("--out " + out.resolve("x") + " lies inside --failures"), outer);
    assertDoesNotThrow(
        () ->
            OutputPlaces.check(
                List.of(),
                List.of(in("--out", out), in("--failures", dir.resolve("out.parquet-failures")))));
  }

  @Test
  void remotePlacesCompareByNameAndNeverMeetLocalOnes() throws Exception {
    Place raster = OutputPlaces.remote("--rasters", "s3a://b/in/a.tif", "s3a://b", "/in/a.tif");
    String e =
        refusal(
            List.of(raster),
            List.of(OutputPlaces.remote("--out", "s3a://b/in/x/..", "s3a://b", "/in/x/..")));
    assertTrue(e.contains("holds the input --rasters s3a://b/in/a.tif"), e);
    assertDoesNotThrow(
        () ->
            OutputPlaces.check(
                List.of(raster),
                List.of(
                    OutputPlaces.remote("--out", "s3a://c/in", "s3a://c", "/in"),
                    in("--failures", Path.of("/in")))));
  }
}
