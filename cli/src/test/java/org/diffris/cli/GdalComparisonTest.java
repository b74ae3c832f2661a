package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.Gdal;
import org.diffris.cli.testing.GeoPackageContents;
import org.diffris.cli.testing.GeoPackageContents.Feature;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.operation.overlayng.OverlayNG;
import org.locationtech.jts.operation.overlayng.OverlayNGRobust;

/**
 * Our polygons against GDAL's {@code gdal_polygonize.py} on the same GeoTIFFs (several CRSs, a
 * rotated and a sheared geotransform, nodata, 16-bit, float with a threshold, random noise): the
 * same number of polygons, the same total area, the same covered ground (their symmetric
 * difference is empty), and every one of our geometries valid. Skipped when GDAL is not on PATH.
 */
class GdalComparisonTest {
  @TempDir static Path generated;

  @BeforeAll
  static void requireGdal() throws Exception {
    Assumptions.assumeTrue(Gdal.onPath("gdal_polygonize.py"), Gdal.SKIP_MESSAGE);
    // A random 50% mask on a sheared grid in EPSG:3035: thousands of holes and corner contacts.
    String python =
        Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    Gdal.run(
        List.of(
            python,
            "-c",
            String.join(
                "\n",
                "import numpy as np",
                "from osgeo import gdal",
                "rng = np.random.default_rng(7)",
                "a = (rng.random((80, 96)) < 0.5).astype(np.uint8)",
                "ds = gdal.GetDriverByName('GTiff').Create('"
                    + generated.resolve("noise_sheared.tif")
                    + "', 96, 80, 1, gdal.GDT_Byte)",
                "ds.SetGeoTransform((4321000.0, 10.0, 3.0, 3210000.0, 2.0, -10.0))",
                "ds.SetProjection('EPSG:3035')",
                "ds.GetRasterBand(1).WriteArray(a)",
                "ds = None")));
  }

  @Test
  void gdalReadsOurGeoPackageAndGeoJsonWithoutWarnings(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(Gdal.onPath("ogrinfo"), "ogrinfo not on PATH");
    Path gpkg = dir.resolve("blobs.gpkg");
    Path json = dir.resolve("blobs.geojson");
    for (Path out : List.of(gpkg, json)) {
      Cli.vectorizeSample("blobs_utm.tif", out);
    }
    String polygons =
        Cli.run(
                "vectorize",
                "--mask",
                Cli.sampleMask("blobs_utm.tif").toString(),
                "--out",
                dir.resolve("again.gpkg").toString())
            .summary()
            .get("polygons");

    String info = Gdal.run(List.of("ogrinfo", "-ro", "-so", gpkg.toString(), "blobs"));
    assertFalse(info.contains("Warning") || info.contains("ERROR"), info);
    assertTrue(info.contains("Feature Count: " + polygons), info);
    assertTrue(info.contains("ID[\"EPSG\",32633]"), info);
    assertTrue(info.contains("Geometry: Polygon"), info);
    assertTrue(info.contains("area: Real"), info);

    String jsonInfo = Gdal.run(List.of("ogrinfo", "-ro", "-so", json.toString(), "blobs"));
    assertFalse(jsonInfo.contains("Warning") || jsonInfo.contains("ERROR"), jsonInfo);
    assertTrue(jsonInfo.contains("Feature Count: " + polygons), jsonInfo);
    assertTrue(jsonInfo.contains("ID[\"EPSG\",4326]"), jsonInfo);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("blobs_utm.tif", false, null),
        Arguments.of("blobs_utm.tif", true, null),
        Arguments.of("blobs_wgs84.tif", false, null),
        Arguments.of("blobs_rotated.tif", false, null),
        Arguments.of("blobs_rotated.tif", true, null),
        Arguments.of("counts_ftus_uint16.tif", false, null),
        Arguments.of("probabilities_3857_nodata.tif", false, 0.5),
        Arguments.of("probabilities_3857_nodata.tif", false, 0.9),
        Arguments.of("noise_sheared.tif", false, null),
        Arguments.of("noise_sheared.tif", true, null));
  }

  @ParameterizedTest(name = "{0} eight={1} threshold={2}")
  @MethodSource("cases")
  void samePolygonsAsGdal(String name, boolean eight, Double threshold, @TempDir Path dir)
      throws Exception {
    Path mask = name.startsWith("noise") ? generated.resolve(name) : Cli.sampleMask(name);
    Path ours = dir.resolve("ours.gpkg");
    List<String> args =
        new ArrayList<>(
            List.of(
                "vectorize",
                "--mask",
                mask.toString(),
                "--out",
                ours.toString(),
                "--connectivity",
                eight ? "8" : "4"));
    if (threshold != null) {
      args.addAll(List.of("--threshold", threshold.toString()));
    }
    Cli run = Cli.run(args.toArray(String[]::new));
    assertEquals(0, run.exitCode, run.err);

    GeoPackageContents mine = GeoPackageContents.read(ours);
    GeoPackageContents gdal = GeoPackageContents.read(Gdal.polygonize(mask, dir, eight, threshold));
    List<Geometry> theirs =
        gdal.features.stream()
            .filter(f -> f.number("DN") != 0 && (threshold == null || f.number("DN") == 1))
            .map(Feature::geometry)
            .toList();
    List<Geometry> ourGeometries = mine.features.stream().map(Feature::geometry).toList();

    assertTrue(theirs.size() > 0, "fixture has no mask pixels");
    assertEquals(theirs.size(), ourGeometries.size(), "polygon count");
    double ourArea = ourGeometries.stream().mapToDouble(Geometry::getArea).sum();
    double theirArea = theirs.stream().mapToDouble(Geometry::getArea).sum();
    assertEquals(theirArea, ourArea, theirArea * 1e-9, "total area in CRS units");
    for (Geometry g : ourGeometries) {
      assertTrue(g.isValid(), "invalid: " + g);
    }
    assertEquals(gdal.srsId, mine.srsId, "CRS code");

    // Same ground covered: catches a wrong transform, axis swap or half-pixel shift.
    Geometry ourUnion = OverlayNGRobust.union(ourGeometries);
    Geometry theirUnion = OverlayNGRobust.union(theirs);
    double difference =
        OverlayNGRobust.overlay(ourUnion, theirUnion, OverlayNG.SYMDIFFERENCE).getArea();
    assertTrue(difference <= theirArea * 1e-9, "symmetric difference " + difference);
  }
}
