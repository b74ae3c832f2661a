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
      json = json.replace("\"threshold\": 0.5,", "\"threshold\": 0.5,\n  \"tiling\": " + tiling + ",");
    }
    Files.writeString(folder.resolve("model.json"), json);
    return ModelBundle.open(folder);
  }

  @Test
  void defaultsToTheInputSizeAndAQuarterOverlap() throws IOException {
    assertEquals(new ModelDescription.Tiling(64, 16), withTiling("").description().tiling());
  }

  @Test
  void readsSizeAndOverlap() throws IOException {
    assertEquals(new ModelDescription.Tiling(256, 32),
        withTiling("{\"size\": 256, \"overlap\": 32}").description().tiling());
    assertEquals(new ModelDescription.Tiling(128, 32),
        withTiling("{\"size\": 128}").description().tiling());
  }

  @Test
  void anOverlapAsLargeAsTheTileIsRefused() {
    BundleFileException e = assertThrows(BundleFileException.class,
        () -> withTiling("{\"size\": 64, \"overlap\": 64}"));
    assertEquals("model.json", e.file());
    assertEquals(true, e.getMessage().contains("tiling.overlap"), e.getMessage());
  }
}
