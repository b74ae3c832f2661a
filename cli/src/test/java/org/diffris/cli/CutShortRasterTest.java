package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.Gdal;
import org.diffris.cli.testing.TestBundle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A raster cut short (an interrupted copy or download) is refused before anything is written,
 * whichever reader opens it and whatever its layout, instead of being read with its missing part
 * as zeros; so is a GDAL sparse file, whose unwritten blocks the TIFF decoder would fill with the
 * file's first bytes (200 polygons of garbage on an empty raster before this check).
 */
class CutShortRasterTest {
  @TempDir static Path shared;
  static Path bundle;
  @TempDir Path outputs;

  @BeforeAll
  static void fixtures() throws Exception {
    bundle = TestBundle.write(shared.resolve("bundle"), 64);
  }

  private static Path half(Path file, String name) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    return Files.write(shared.resolve(name), Arrays.copyOf(bytes, bytes.length / 2));
  }

  private void assertRefused(String... args) throws Exception {
    Cli run = Cli.run(args);
    assertEquals(1, run.exitCode, run.err);
    assertTrue(run.err.contains("raster is cut short or damaged"), run.err);
    assertTrue(run.err.strip().lines().count() == 1, run.err);
    try (Stream<Path> files = Files.list(outputs)) {
      assertEquals(List.of(), files.toList());
    }
  }

  private String[] segment(Path raster, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "segment",
                "--raster",
                raster.toString(),
                "--query",
                "ships",
                "--model",
                bundle.toString(),
                "--device",
                "cpu",
                "--out",
                outputs.resolve("out.gpkg").toString()));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  @Test
  void tiledSceneCutInHalf() throws Exception {
    Path cut = half(TestBundle.root().resolve("sample-data/scenes/port.tif"), "port-half.tif");
    assertRefused(segment(cut));
    // The GeoTools reader (taken for --probabilities) is refused the same way.
    assertRefused(segment(cut, "--probabilities", outputs.resolve("p.tif").toString()));
  }

  @Test
  void stripMasksCutShort() throws Exception {
    for (String mask : List.of("blobs_utm.tif", "blobs_rotated.tif", "counts_ftus_uint16.tif")) {
      Path cut = half(Cli.sampleMask(mask), "half-" + mask);
      assertRefused(
          "vectorize", "--mask", cut.toString(), "--out", outputs.resolve("m.gpkg").toString());
    }
  }

  @Test
  void bigTiffCutShortAndSparseFilesRefused() throws Exception {
    assumeTrue(Gdal.onPath("gdal_translate") && Gdal.onPath("gdal_create"), Gdal.SKIP_MESSAGE);
    Path big = shared.resolve("big.tif");
    Gdal.translate(Cli.sampleMask("blobs_utm.tif"), big, "-co", "BIGTIFF=YES", "-co", "TILED=YES");
    assertRefused(
        "vectorize",
        "--mask",
        half(big, "big-half.tif").toString(),
        "--out",
        outputs.resolve("b.gpkg").toString());

    // Blocks never written: offset and size 0 (GDAL reads them as nodata).
    Path sparse = shared.resolve("sparse.tif");
    Gdal.create(sparse, 512, 512, 1, "Byte", 1, "-co", "SPARSE_OK=YES", "-co", "TILED=YES");
    Cli run =
        Cli.run(
            "vectorize",
            "--mask",
            sparse.toString(),
            "--out",
            outputs.resolve("s.gpkg").toString());
    assertEquals(1, run.exitCode, run.err);
    assertTrue(run.err.contains("blocks that were never written"), run.err);
    assertTrue(run.err.contains("gdal_translate"), run.err);
  }
}
