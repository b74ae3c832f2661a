package org.diffris.geotools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.diffris.pipeline.RasterInput;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.gce.geotiff.GeoTiffReader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The two ways a raster reaches the pipeline give it the same input: a GeoTIFF opened by the
 * command line ({@link GeoTiffRaster#open}, the fast path where it applies) and the same file as
 * the GridCoverage2D GeoServer hands the WPS process ({@link CoverageRaster}). Same size, bands,
 * sample type, transform, area model, EPSG code, nodata and every pixel value: from there on both
 * hosts run the same pipeline, so their answers are the same.
 */
class RasterInputParityTest {
  static Stream<Path> sampleRasters() throws Exception {
    Path root = Path.of("..", "sample-data");
    try (Stream<Path> scenes = Files.list(root.resolve("scenes"));
        Stream<Path> masks = Files.list(root.resolve("masks"))) {
      return Stream.concat(scenes.toList().stream(), masks.toList().stream())
          .filter(p -> p.toString().endsWith(".tif"))
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest
  @MethodSource("sampleRasters")
  void bothAdaptersGiveTheSameInput(Path file) throws Exception {
    GeoTiffReader reader = new GeoTiffReader(file.toFile());
    try (GeoTiffRaster tiff = GeoTiffRaster.open(file)) {
      GridCoverage2D coverage = reader.read(null);
      CoverageRaster raster = CoverageRaster.of(coverage);
      RasterInput fromFile = tiff.input();
      RasterInput fromCoverage = raster.input(raster.all());
      assertEquals(fromCoverage.width(), fromFile.width());
      assertEquals(fromCoverage.height(), fromFile.height());
      assertEquals(fromCoverage.source().bandCount(), fromFile.source().bandCount());
      assertEquals(fromCoverage.sampleType(), fromFile.sampleType());
      assertEquals(fromCoverage.bandRoles(), fromFile.bandRoles());
      assertArrayEquals(fromCoverage.pixelToWorld().toGdal(), fromFile.pixelToWorld().toGdal());
      assertEquals(fromCoverage.areaModel().isGeodesic(), fromFile.areaModel().isGeodesic());
      assertEquals(fromCoverage.areaModel().metresPerUnit(), fromFile.areaModel().metresPerUnit());
      assertEquals(fromCoverage.srid(), fromFile.srid());
      int bands = fromFile.source().bandCount();
      for (int b = 0; b < bands; b++) {
        assertEquals(fromCoverage.source().nodata(b), fromFile.source().nodata(b), "band " + b);
      }
      int[] all = java.util.stream.IntStream.range(0, bands).toArray();
      int w = fromFile.width();
      for (int y = 0; y < fromFile.height(); y += 64) {
        int h = Math.min(64, fromFile.height() - y);
        float[] a = new float[bands * w * h];
        float[] b = new float[bands * w * h];
        fromFile.source().read(0, y, w, h, all, a);
        fromCoverage.source().read(0, y, w, h, all, b);
        assertArrayEquals(b, a, file + " rows " + y + "..");
      }
    } finally {
      reader.dispose();
    }
  }

  @org.junit.jupiter.api.Test
  void everySampleSceneAndMaskIsCompared() throws Exception {
    // 3 scenes, 20 ground-truth masks, 5 vectorizer masks: a moved folder must not pass silently.
    assertEquals(28, sampleRasters().count());
  }
}
