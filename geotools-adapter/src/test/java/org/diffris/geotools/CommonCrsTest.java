package org.diffris.geotools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.diffris.vectorizer.MaskVectorizer;
import org.diffris.vectorizer.VectorizerOptions;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.coverage.grid.GridCoverageFactory;
import org.geotools.gce.geotiff.GeoTiffWriter;
import org.geotools.geometry.jts.ReferencedEnvelope;
import org.geotools.referencing.CRS;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.GeometryFactory;

/** The direct GeoTIFF path gives what the GeoTools path gives. */
class CommonCrsTest {
  @TempDir Path folder;

  /** Every table entry equals a fresh GeoTools round trip for its code (catches stale tables). */
  @Test
  void everyEntryMatchesGeoTools() throws Exception {
    Properties table = new Properties();
    try (InputStream in = CommonCrs.class.getResourceAsStream(CommonCrs.RESOURCE)) {
      assertNotNull(in, "table resource missing");
      table.load(in);
    }
    TreeSet<Integer> codes = new TreeSet<>();
    table.stringPropertyNames().forEach(k -> codes.add(Integer.parseInt(k.split("\\.")[0])));
    assertTrue(
        codes.contains(4326) && codes.contains(32633) && codes.size() > 100,
        "table lists " + codes.size() + " codes");
    for (int code : codes) {
      Map<String, String> fresh = CommonCrsTableWriter.entry(code, folder);
      assertNotNull(fresh, "EPSG:" + code + " no longer round-trips");
      fresh.forEach((key, value) -> assertEquals(value, table.getProperty(key), key));
    }
  }

  @Test
  void directPathMatchesGeoToolsOnAByteMask() throws Exception {
    byte[] values = new byte[7 * 5];
    for (int i = 0; i < values.length; i++) {
      values[i] = (byte) (i % 3 == 0 ? 0 : i);
    }
    Path file = byteMask(folder.resolve("m.tif"), 7, 5, values);
    try (GeoTiffRaster full = GeoTiffRaster.openWithGeoTools(file);
        GeoTiffRaster direct = GeoTiffRaster.open(file)) {
      assertFalse(full instanceof DirectGeoTiff);
      assertTrue(
          direct instanceof DirectGeoTiff, "a north-up EPSG:32633 byte mask takes the direct path");
      assertArrayEquals(full.pixelToWorld().toGdal(), direct.pixelToWorld().toGdal());
      assertEquals(full.spatialReference(), direct.spatialReference());
      assertEquals(full.width(), direct.width());
      assertEquals(full.height(), direct.height());
      assertEquals(full.rowsPerRead(), direct.rowsPerRead());
      assertEquals(full.noData(), direct.noData());
      assertEquals(regions(full), regions(direct));
      assertEquals(full.crs(), direct.crs(), "the CRS decoded on demand is GeoTools' own");
    }
  }

  /** Odd pixel sizes and origins: the pixel-to-world values are bit for bit GeoTools' own. */
  @Test
  void directPathTransformIsExactForOddGrids() throws Exception {
    BufferedImage image = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
    double[][] grids = {{500000.1, 0.3, 4000000.7}, {-73.123456789, 0.000123, 40.987654321}};
    int[] codes = {32618, 4326};
    for (int i = 0; i < codes.length; i++) {
      double[] g = grids[i];
      Path file = folder.resolve("odd" + i + ".tif");
      GridCoverage2D coverage =
          new GridCoverageFactory()
              .create(
                  "odd",
                  image,
                  new ReferencedEnvelope(
                      g[0],
                      g[0] + 3 * g[1],
                      g[2] - 2 * g[1],
                      g[2],
                      CRS.decode("EPSG:" + codes[i], true)));
      GeoTiffWriter writer = new GeoTiffWriter(file.toFile());
      writer.write(coverage, null);
      writer.dispose();
      try (GeoTiffRaster full = GeoTiffRaster.openWithGeoTools(file);
          GeoTiffRaster direct = GeoTiffRaster.open(file)) {
        assertTrue(direct instanceof DirectGeoTiff, "EPSG:" + codes[i]);
        assertArrayEquals(
            full.pixelToWorld().toGdal(), direct.pixelToWorld().toGdal(), "EPSG:" + codes[i]);
        assertEquals(full.spatialReference(), direct.spatialReference());
      }
    }
  }

  /** The mask's polygons as WKT with their areas, read in bands of 2 rows. */
  private static List<String> regions(GeoTiffRaster raster) throws Exception {
    List<String> out = new ArrayList<>();
    MaskVectorizer vectorizer =
        new MaskVectorizer(
            raster.width(),
            raster.height(),
            raster.pixelToWorld(),
            VectorizerOptions.builder().areaModel(raster.areaModel()).build(),
            new GeometryFactory(),
            region -> out.add(region.geometry().toText() + " " + region.areaSquareMetres()));
    MaskReader mask = new MaskReader(raster, 1);
    for (int row = 0; row < raster.height(); row += 2) {
      vectorizer.accept(mask.readBinary(row, Math.min(2, raster.height() - row)));
    }
    vectorizer.finish();
    assertFalse(out.isEmpty());
    return out;
  }

  @Test
  void codesOutsideTheTableTakeTheGeoToolsPath() throws Exception {
    assertNull(CommonCrs.lookup(32767));
    Path notTiff = Files.writeString(folder.resolve("x.tif"), "not a tiff");
    assertNull(DirectGeoTiff.openIfSimple(notTiff));
  }

  /** A byte GeoTIFF in EPSG:32633 with 1 m pixels. */
  static Path byteMask(Path file, int width, int height, byte[] values) throws Exception {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    byte[] data = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
    System.arraycopy(values, 0, data, 0, values.length);
    GridCoverage2D coverage =
        new GridCoverageFactory()
            .create(
                "fixture",
                image,
                new ReferencedEnvelope(
                    500000, 500000 + width, 5300000 - height, 5300000, CRS.decode("EPSG:32633")));
    GeoTiffWriter writer = new GeoTiffWriter(file.toFile());
    try {
      writer.write(coverage, null);
    } finally {
      writer.dispose();
    }
    return file;
  }
}
