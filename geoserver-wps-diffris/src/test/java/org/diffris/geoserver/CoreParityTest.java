package org.diffris.geoserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diffris.runtime.DiffrisModel;
import org.diffris.runtime.ModelBundle;
import org.diffris.runtime.onnx.ExecutionProvider;
import org.diffris.runtime.onnx.SessionSettings;
import org.diffris.runtime.tiling.GridAnchor;
import org.diffris.runtime.tiling.RasterSource;
import org.diffris.runtime.tiling.RenderedImageSource;
import org.diffris.runtime.tiling.TiledSegmenter;
import org.diffris.vectorizer.AreaModel;
import org.diffris.vectorizer.MaskBand;
import org.diffris.vectorizer.MaskVectorizer;
import org.diffris.vectorizer.PixelToWorld;
import org.diffris.vectorizer.VectorizedRegion;
import org.diffris.vectorizer.VectorizerOptions;
import org.geotools.api.feature.simple.SimpleFeature;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.gce.geotiff.GeoTiffReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;

/**
 * With the real tiny bundle ({@code sample-data/models/diffris-tiny}): the process on a 256 x 256
 * pixel window of {@code sample-data/scenes/port.tif} (its roi) gives exactly the regions a direct
 * call of the cores gives on the same pixels, anchored at the same place. Skipped while the bundle is absent.
 */
class CoreParityTest {
  /** The real bundle; {@code -Ddiffris.parityBundle=FOLDER} runs the comparison with another. */
  static final Path BUNDLE =
      Path.of(
          System.getProperty(
              "diffris.parityBundle",
              Path.of("..", "sample-data", "models", "diffris-tiny").toString()));

  static final Path SCENE = Path.of("..", "sample-data", "scenes", "port.tif");
  static final int CROP = 256;
  static final int CROP_X = 896;
  static final int CROP_Y = 192;
  static final double X0 = 402000 + CROP_X * 0.5;
  static final double Y0 = 5059000 - CROP_Y * 0.5;

  @AfterAll
  static void back() throws Exception {
    TestBundle.install();
    LoadedModels.retireAll();
  }

  @Test
  void processMatchesTheCoresOnACrop() throws Exception {
    assumeTrue(
        Files.isRegularFile(BUNDLE.resolve("model.json")),
        "the real model bundle " + BUNDLE + " is not there yet");
    System.setProperty("diffris.model", BUNDLE.toAbsolutePath().toString());
    GeoTiffReader reader = new GeoTiffReader(SCENE.toFile());
    try {
      GridCoverage2D coverage = reader.read(null);
      // port.tif: origin (402000, 5059000), 0.5 m pixels, EPSG:32633.
      Geometry roi =
          new GeometryFactory().toGeometry(new Envelope(X0, X0 + CROP * 0.5, Y0 - CROP * 0.5, Y0));
      Map<String, Object> in = SegmentProcessTest.inputs(coverage, "storage tanks");
      in.put("roi", roi);
      List<SimpleFeature> features = SegmentProcessTest.features(SegmentProcessTest.run(in, null));

      ModelBundle bundle = ModelBundle.open(BUNDLE);
      List<VectorizedRegion> expected = new java.util.ArrayList<>();
      try (DiffrisModel model =
          DiffrisModel.open(bundle, SessionSettings.of(ExecutionProvider.CPU))) {
        RenderedImageSource whole = new RenderedImageSource(coverage.getRenderedImage(), null);
        RasterSource crop =
            new RasterSource() {
              public int width() {
                return CROP;
              }

              public int height() {
                return CROP;
              }

              public int bandCount() {
                return whole.bandCount();
              }

              public void read(int x, int y, int w, int h, int[] bands, float[] dest) {
                whole.read(CROP_X + x, CROP_Y + y, w, h, bands, dest);
              }
            };
        MaskVectorizer v =
            new MaskVectorizer(
                CROP,
                CROP,
                PixelToWorld.fromGdal(new double[] {X0, 0.5, 0, Y0, 0, -0.5}),
                VectorizerOptions.builder()
                    .threshold(bundle.description().threshold())
                    .areaModel(AreaModel.planar(1))
                    .largestFirst(true)
                    .build(),
                new GeometryFactory(new org.locationtech.jts.geom.PrecisionModel(), 32633),
                expected::add);
        // The window's place in the world: X0 / 0.5 columns and Y0 / -0.5 rows from the CRS
        // origin, which fixes its model grid and tiles.
        TiledSegmenter.forModel(bundle.description())
            .rasterGsd(0.5)
            .anchor(GridAnchor.of(X0 / 0.5, Y0 / -0.5))
            .build()
            .run(
                crop,
                model.forQuery("storage tanks"),
                (row, h, p, valid) -> v.accept(MaskBand.probabilities(row, CROP, h, p, valid)));
        v.finish();
      }
      assertTrue(expected.size() >= 1, "the crop holds storage tanks");
      assertEquals(expected.size(), features.size());
      for (int i = 0; i < expected.size(); i++) {
        SimpleFeature f = features.get(i);
        assertTrue(
            expected.get(i).geometry().equalsExact((Geometry) f.getDefaultGeometry()),
            "region " + i);
        assertEquals(expected.get(i).areaSquareMetres(), (Double) f.getAttribute("area"), 1e-9);
        assertEquals(expected.get(i).meanProbability(), (Double) f.getAttribute("score"), 1e-9);
      }
    } finally {
      reader.dispose();
    }
  }
}
