package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.Gdal;
import org.diffris.cli.testing.GeoPackageContents;
import org.diffris.cli.testing.TestBundle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Geometry;

/**
 * Drone imagery far finer than the model is taken as it is: a 2 cm copy of a crop of the port
 * scene (each 0.5 m pixel made 25 x 25 pixels, nearest neighbour: 4000 x 4000, the model's GSD
 * of 1 m 50 times coarser) gives the crop's own polygons, and runs in a JVM whose 64 MB heap
 * holds less than the copy's samples (48 MB as bytes beside the program's own 40-odd MB, 192 MB
 * as floats): the raster is read a few model rows at a time, never whole.
 */
class DroneImageryTest {
  @TempDir static Path dir;

  @BeforeAll
  static void needs() {
    assumeTrue(TestBundle.embeddedExists(), "the embedded bundle is not built");
    assumeTrue(Gdal.onPath("gdal_translate"), "gdal_translate not on PATH (Debian's gdal-bin)");
  }

  @Test
  void aTwoCentimetreCopyGivesTheScenesPolygonsInASmallHeap() throws Exception {
    // The 160 x 160 pixels of the port scene with the most white storage tanks (6).
    Path crop =
        Gdal.translate(
            TestBundle.root().resolve("sample-data/scenes/port.tif"),
            dir.resolve("crop.tif"),
            "-srcwin",
            "1552",
            "1008",
            "160",
            "160");
    Path drone =
        Gdal.translate(
            crop,
            dir.resolve("drone.tif"),
            "-r",
            "near",
            "-outsize",
            "2500%",
            "2500%",
            "-co",
            "TILED=YES",
            "-co",
            "COMPRESS=DEFLATE");
    Cli scene =
        Cli.run(
            "segment",
            "--raster",
            crop.toString(),
            "--query",
            "white storage tanks",
            "--out",
            dir.resolve("scene.gpkg").toString(),
            "--device",
            "cpu");
    assertEquals(0, scene.exitCode, scene.err);

    Path out = dir.resolve("drone.gpkg");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process run =
        new ProcessBuilder(
                java,
                "-Xmx64m",
                "-cp",
                System.getProperty("java.class.path"),
                DiffrisCommand.class.getName(),
                "segment",
                "--raster",
                drone.toString(),
                "--query",
                "white storage tanks",
                "--out",
                out.toString(),
                "--device",
                "cpu",
                "--progress",
                "none")
            .redirectErrorStream(true)
            .start();
    String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(run.waitFor(300, TimeUnit.SECONDS), "still running after 5 minutes");
    assertEquals(0, run.exitValue(), output);
    assertTrue(output.contains(" resample=0.02000 "), output);

    GeoPackageContents expected = GeoPackageContents.read(dir.resolve("scene.gpkg"));
    GeoPackageContents actual = GeoPackageContents.read(out);
    assertTrue(expected.features.size() >= 4, expected.features.size() + " polygons");
    assertEquals(expected.features.size(), actual.features.size(), output);
    // The model sees the same 1 m pixels (each the mean of 2 x 2 scene pixels, or of 50 x 50
    // copies of them); the probabilities come back bilinear onto 0.5 m or 2 cm pixels, so the
    // outlines differ by the coarser pixels' steps.
    Geometry a = OrientationIndependenceTest.union(expected);
    Geometry b = OrientationIndependenceTest.union(actual);
    double iou = OrientationIndependenceTest.iou(a, b);
    assertTrue(iou >= 0.95, "IoU " + iou + "\n" + output);
  }
}
