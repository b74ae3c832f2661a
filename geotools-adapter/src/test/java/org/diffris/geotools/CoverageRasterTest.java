package org.diffris.geotools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.util.Map;
import org.diffris.runtime.tiling.RasterSource;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.coverage.grid.GridCoverageFactory;
import org.geotools.geometry.jts.ReferencedEnvelope;
import org.geotools.referencing.CRS;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.GeometryFactory;

class CoverageRasterTest {
  static GridCoverage2D grey(Map<String, Object> properties) throws Exception {
    BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_BYTE_GRAY);
    WritableRaster r = image.getRaster();
    for (int y = 0; y < 30; y++) {
      for (int x = 0; x < 40; x++) {
        r.setSample(x, y, 0, x + y);
      }
    }
    ReferencedEnvelope env =
        new ReferencedEnvelope(1000, 1040, 2000, 2030, CRS.decode("EPSG:32633"));
    return new GridCoverageFactory().create("grey", image, env, null, null, properties);
  }

  @Test
  void readsWindowsWithoutCopyingTheImageAndFindsNoData() throws Exception {
    CoverageRaster raster = CoverageRaster.of(grey(Map.of(CoverageRaster.NODATA_PROPERTY, 7.0)));
    assertEquals(7.0, raster.nodata(0).getAsDouble());
    org.diffris.pipeline.RasterInput all = raster.input(raster.all());
    assertEquals(
        1.0,
        org.diffris.vectorizer.GroundSampleDistance.metres(
            all.pixelToWorld(), all.width(), all.height(), all.areaModel()),
        1e-12);
    assertEquals(32633, all.srid());
    PixelWindow w =
        raster.window(new GeometryFactory().toGeometry(new Envelope(1010.5, 1012, 2020, 2029.2)));
    assertEquals(new PixelWindow(10, 0, 2, 10), w); // row 0 is the north edge at 2030
    RasterSource source = raster.input(w).source();
    float[] out = new float[2 * 3];
    source.read(0, 1, 2, 3, new int[] {0}, out);
    assertArrayEquals(new float[] {11, 12, 12, 13, 13, 14}, out);
    assertEquals(1010.0, raster.input(w).pixelToWorld().x(0, 0));
    assertEquals(2030.0, raster.input(w).pixelToWorld().y(0, 0));
  }

  @Test
  void noDataPropertyObjectsAreReadWithoutLinkingTheirType() {
    Object container =
        new Object() {
          @SuppressWarnings("unused")
          public double getAsSingleValue() {
            return -9999;
          }
        };
    assertEquals(null, CoverageRaster.propertyNoData(new Object()));
    assertEquals(3.0, CoverageRaster.propertyNoData(3));
    assertEquals(-9999.0, CoverageRaster.propertyNoData(container));
    // What GeoTools 33's readers put there (JAI-ext; ImageN's own class on GeoTools 34+).
    assertEquals(
        -1.0,
        CoverageRaster.propertyNoData(new it.geosolutions.jaiext.range.NoDataContainer(-1.0)));
  }
}
