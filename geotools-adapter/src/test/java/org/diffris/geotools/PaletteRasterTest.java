package org.diffris.geotools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import org.diffris.pipeline.PaletteColours;
import org.diffris.pipeline.RasterInput;
import org.diffris.pipeline.SampleType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A palette raster reaches the pipeline as the colours GDAL expands it to ({@code gdal_translate
 * -expand rgb}), never as its indices; as a mask it stays its indices. Fixtures: a crop of the
 * port scene reduced to a palette by rgb2pct.py (Debian's python3-gdal).
 */
class PaletteRasterTest {
  @TempDir static Path dir;

  @BeforeAll
  static void needsGdal() {
    GdalFixtures.assumeGdal();
    assumeTrue(GdalFixtures.onPath("rgb2pct.py"), "rgb2pct.py not on PATH (python3-gdal)");
  }

  static float[] read(RasterInput input) throws Exception {
    int n = input.width() * input.height();
    float[] all = new float[3 * n];
    input.source().read(0, 0, input.width(), input.height(), new int[] {0, 1, 2}, all);
    return all;
  }

  @Test
  void aPaletteRasterIsReadAsItsColours() throws Exception {
    Path crop =
        GdalFixtures.translate(
            GdalFixtures.PORT, dir, "crop.tif", "-srcwin", "768", "128", "96", "64");
    Path palette = dir.resolve("palette.tif");
    GdalFixtures.run(List.of("rgb2pct.py", "-n", "64", crop.toString(), palette.toString()));
    Path expanded = GdalFixtures.translate(palette, dir, "expanded.tif", "-expand", "rgb");
    float[] colours;
    try (GeoTiffRaster rgb = GeoTiffRaster.open(expanded)) {
      colours = read(rgb.input());
    }
    for (boolean geoTools : new boolean[] {false, true}) {
      try (GeoTiffRaster raster =
          geoTools ? GeoTiffRaster.openWithGeoTools(palette) : GeoTiffRaster.open(palette)) {
        String how = geoTools ? "through GeoTools" : "on the fast path";
        assertEquals(1, raster.bandCount(), how);
        RasterInput input = raster.input();
        assertEquals(3, input.source().bandCount(), how);
        assertEquals(PaletteColours.ROLES, input.bandRoles(), how);
        assertEquals(SampleType.BYTE, input.sampleType(), how);
        assertArrayEquals(colours, read(input), how);
        // as a mask (vectorize), the band is its indices
        java.awt.image.Raster rows = raster.readRows(0, raster.height());
        int max = 0;
        for (int v : rows.getSamples(rows.getMinX(), rows.getMinY(), 96, 64, 0, (int[]) null)) {
          max = Math.max(max, v);
        }
        assertEquals(true, max < 64, how + ": indices of a 64-colour palette");
      }
    }
    // the coverage path (the GeoServer plugin) gives the same colours
    org.geotools.gce.geotiff.GeoTiffReader reader =
        new org.geotools.gce.geotiff.GeoTiffReader(palette.toFile());
    try {
      CoverageRaster coverage = CoverageRaster.of(reader.read(null));
      RasterInput input = coverage.input(coverage.all());
      assertEquals(PaletteColours.ROLES, input.bandRoles());
      assertArrayEquals(colours, read(input), "coverage");
    } finally {
      reader.dispose();
    }
  }
}
