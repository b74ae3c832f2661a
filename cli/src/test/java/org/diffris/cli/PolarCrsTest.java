package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.Gdal;
import org.diffris.cli.testing.GeoPackageContents;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Polar CRSs, whose EPSG axes ("North along 90 deg East") WKT 1 cannot state, are written to a
 * GeoPackage that GDAL reads back as the same CRS: the code, and a definition that projects
 * points where the EPSG code does. GDAL is the peer: it is what QGIS reads GeoPackages with.
 */
class PolarCrsTest {
  @TempDir static Path folder;
  private static GeoPackageContents utm;

  @BeforeAll
  static void vectorizeInUtm() throws Exception {
    Path out = folder.resolve("utm.gpkg");
    Cli.vectorizeSample("blobs_utm.tif", out);
    utm = GeoPackageContents.read(out);
  }

  @ParameterizedTest(name = "EPSG:{0}")
  // Antarctic, Arctic and NSIDC north polar stereographic (variant B), UPS north (variant A),
  // EASE-Grid 2.0 north (Lambert azimuthal equal area)
  @ValueSource(ints = {3031, 3995, 3413, 5041, 6931})
  void polarCrsIsWrittenAsGdalReadsIt(int code) throws Exception {
    assumeTrue(Gdal.onPath("gdal_translate"), Gdal.SKIP_MESSAGE);
    Path mask = folder.resolve("mask" + code + ".tif");
    Gdal.translate(Cli.sampleMask("blobs_utm.tif"), mask, "-a_srs", "EPSG:" + code);
    Path out = folder.resolve("polar" + code + ".gpkg");

    Cli run = Cli.run("vectorize", "--mask", mask.toString(), "--out", out.toString());

    assertEquals(0, run.exitCode, run.err);
    assertEquals("EPSG:" + code, run.summary().get("crs"));
    GeoPackageContents polar = GeoPackageContents.read(out);
    assertEquals(code, polar.srsId);
    assertEquals(utm.features.size(), polar.features.size());
    assertEquals(utm.totalPlanarArea(), polar.totalPlanarArea(), 1e-6);
    String layerSrs = Gdal.run(List.of("ogrinfo", "-so", "-al", out.toString()));
    assertTrue(layerSrs.contains("ID[\"EPSG\"," + code + "]]\n"), layerSrs);
    // The definition alone (what a reader without an EPSG database uses) projects like the code.
    for (String lonLat : List.of("30 75", "-120 65", "170 85", "30 -75", "-120 -65")) {
      assertEquals(
          project(lonLat, "EPSG:" + code),
          project(lonLat, polar.definition),
          "EPSG:" + code + " definition projects " + lonLat + " elsewhere:\n" + polar.definition);
    }
  }

  private static String project(String lonLat, String targetSrs) throws Exception {
    Path points = folder.resolve("points.txt");
    java.nio.file.Files.writeString(points, lonLat + "\n");
    return Gdal.run(
            List.of(
                "sh",
                "-c",
                "gdaltransform -s_srs EPSG:4326 -t_srs \"$0\" < \"$1\"",
                targetSrs,
                points.toString()))
        .strip();
  }
}
