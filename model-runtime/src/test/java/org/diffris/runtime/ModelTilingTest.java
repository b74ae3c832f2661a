package org.diffris.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The optional {@code tiling} object of model.json. */
class ModelTilingTest {
  @TempDir Path temp;

  private ModelBundle withTiling(String tiling) throws IOException {
    Path folder = TestBundles.write(temp.resolve("b" + Math.abs(tiling.hashCode())));
    String json = TestBundles.resource("model.json");
    if (!tiling.isEmpty()) {
      json =
          json.replace("\"threshold\": 0.5,", "\"threshold\": 0.5,\n  \"tiling\": " + tiling + ",");
    }
    Files.writeString(folder.resolve("model.json"), json);
    return ModelBundle.open(folder);
  }

  @Test
  void defaultsToTheInputSizeAndAQuarterOverlap() throws IOException {
    assertEquals(new ModelDescription.Tiling(64, 16, 1), withTiling("").description().tiling());
  }

  @Test
  void readsSizeAndOverlap() throws IOException {
    assertEquals(
        new ModelDescription.Tiling(256, 32, 1),
        withTiling("{\"size\": 256, \"overlap\": 32}").description().tiling());
    assertEquals(
        new ModelDescription.Tiling(128, 32, 1),
        withTiling("{\"size\": 128}").description().tiling());
  }

  @Test
  void tileSizesFollowTheModelsSizeMultiple() throws IOException {
    ModelBundle bundle = withTiling("{\"size\": 80}");
    assertEquals(new ModelDescription.Tiling(80, 20, 1), bundle.description().tiling());
    Path folder = bundle.location();
    String json =
        Files.readString(folder.resolve("model.json"))
            .replace("\"gsd_m\": 0.5", "\"gsd_m\": 0.5, \"size_multiple\": 32");
    Files.writeString(folder.resolve("model.json"), json);
    BundleFileException e = assertThrows(BundleFileException.class, () -> ModelBundle.open(folder));
    assertEquals(
        "model.json: field tiling.size is 80, not a multiple of image.size_multiple 32",
        e.getMessage());
    Files.writeString(folder.resolve("model.json"), json.replace("\"size\": 80", "\"size\": 128"));
    ModelBundle ok = ModelBundle.open(folder);
    assertEquals(new ModelDescription.Tiling(128, 32, 32), ok.description().tiling());
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                org.diffris.runtime.tiling.TiledSegmenter.forModel(ok.description())
                    .tileSize(100)
                    .build());
    assertEquals(
        "tile size 100 is not a multiple of 32, which this model requires"
            + " (image.size_multiple)",
        bad.getMessage());
  }

  @Test
  void anOverlapAsLargeAsTheTileIsRefused() {
    BundleFileException e =
        assertThrows(
            BundleFileException.class, () -> withTiling("{\"size\": 64, \"overlap\": 64}"));
    assertEquals("model.json", e.file());
    assertEquals(true, e.getMessage().contains("tiling.overlap"), e.getMessage());
  }
}
