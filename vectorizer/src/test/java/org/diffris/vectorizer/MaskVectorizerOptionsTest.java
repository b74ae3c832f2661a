package org.diffris.vectorizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Filters, probabilities, nodata, area models and argument checks. */
class MaskVectorizerOptionsTest {

  // spotless:off
  private static final byte[] THREE_BLOBS = TestMasks.parse(
      "##..#",
      "##...",
      "...##");
  // spotless:on

  private static List<VectorizedRegion> run(byte[] m, int w, int h, VectorizerOptions o) {
    return MaskVectorizer.vectorize(
        MaskBand.binary(0, w, h, m, null), w, h, PixelToWorld.identity(), o, TestMasks.FACTORY);
  }

  @Test
  void minimumAreaDropsSmallRegions() {
    List<VectorizedRegion> out =
        run(THREE_BLOBS, 5, 3, VectorizerOptions.builder().minAreaSquareMetres(2).build());
    assertEquals(List.of(4L, 2L), out.stream().map(VectorizedRegion::pixelCount).toList());
  }

  @Test
  void maxFeaturesKeepsTheLargest() {
    List<VectorizedRegion> out =
        run(THREE_BLOBS, 5, 3, VectorizerOptions.builder().maxFeatures(2).build());
    assertEquals(List.of(4L, 2L), out.stream().map(VectorizedRegion::pixelCount).toList());
    List<VectorizedRegion> one =
        run(THREE_BLOBS, 5, 3, VectorizerOptions.builder().maxFeatures(1).build());
    assertEquals(List.of(4L), one.stream().map(VectorizedRegion::pixelCount).toList());
  }

  @Test
  void probabilitiesUseThresholdInclusiveAndGiveMeanProbability() {
    float[] p = {0.9f, 0.5f, 0.49f, 0.7f, Float.NaN, 0.6f, 0.1f, 0.8f};
    List<VectorizedRegion> out =
        MaskVectorizer.vectorize(
            MaskBand.probabilities(0, 4, 2, p, null),
            4,
            2,
            PixelToWorld.identity(),
            VectorizerOptions.defaults(),
            TestMasks.FACTORY);
    assertEquals(2, out.size());
    assertEquals(3, out.get(0).pixelCount()); // 0.9, 0.5 (p >= 0.5 is in), 0.6
    assertEquals((0.9f + 0.5f + 0.6f) / 3, out.get(0).meanProbability(), 1e-6);
    assertEquals(2, out.get(1).pixelCount());
    assertEquals((0.7f + 0.8f) / 2, out.get(1).meanProbability(), 1e-6);

    List<VectorizedRegion> strict =
        MaskVectorizer.vectorize(
            MaskBand.probabilities(0, 4, 2, p, null),
            4,
            2,
            PixelToWorld.identity(),
            VectorizerOptions.builder().threshold(0.65).build(),
            TestMasks.FACTORY);
    assertEquals(List.of(2L, 1L), strict.stream().map(VectorizedRegion::pixelCount).toList());
  }

  @Test
  void thresholdIsComparedAtFloat32Precision() {
    // 0.9f is just below the double 0.9: a pixel holding the threshold itself must still be in.
    float[] p = {0.9f, Math.nextDown(0.9f), 0.9f};
    List<VectorizedRegion> out =
        MaskVectorizer.vectorize(
            MaskBand.probabilities(0, 3, 1, p, null),
            3,
            1,
            PixelToWorld.identity(),
            VectorizerOptions.builder().threshold(0.9).build(),
            TestMasks.FACTORY);
    assertEquals(List.of(1L, 1L), out.stream().map(VectorizedRegion::pixelCount).toList());
  }

  @Test
  void nodataIsNeverIn() {
    byte[] mask = {1, 1, 1, 1, 1, 1};
    byte[] valid = {1, 0, 1, 1, 1, 1};
    List<VectorizedRegion> out =
        MaskVectorizer.vectorize(
            MaskBand.binary(0, 3, 2, mask, valid),
            3,
            2,
            PixelToWorld.identity(),
            VectorizerOptions.defaults(),
            TestMasks.FACTORY);
    assertEquals(1, out.size());
    assertEquals(5, out.get(0).pixelCount());
    assertEquals(5.0, out.get(0).geometry().getArea());
    float[] p = {0.9f, 0.9f, 0.9f, 0.9f, 0.9f, 0.9f};
    List<VectorizedRegion> probs =
        MaskVectorizer.vectorize(
            MaskBand.probabilities(0, 3, 2, p, valid),
            3,
            2,
            PixelToWorld.identity(),
            VectorizerOptions.defaults(),
            TestMasks.FACTORY);
    assertEquals(5, probs.get(0).pixelCount());
  }

  /** Area of a lon/lat cell by midpoint integration of the ellipsoid's area element M N cos(phi). */
  private static double integratedCellArea(double lon1, double lat1, double lon2, double lat2) {
    double a = 6378137.0;
    double f = 1 / 298.257223563;
    double e2 = f * (2 - f);
    int n = 20000;
    double h = Math.toRadians(lat2 - lat1) / n;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double phi = Math.toRadians(lat1) + (i + 0.5) * h;
      double w = 1 - e2 * Math.sin(phi) * Math.sin(phi);
      sum += a * (1 - e2) / Math.pow(w, 1.5) * a / Math.sqrt(w) * Math.cos(phi);
    }
    return sum * h * Math.toRadians(lon2 - lon1);
  }

  @Test
  void geodesicAreaOfOneDegreeCellAtTheEquator() {
    // 1 x 1 degree at the equator on WGS84: about 12,308.5 km^2 (often quoted as ~12,308.8).
    assertEquals(integratedCellArea(0, 0, 1, 1), AreaModel.wgs84CellArea(0, 0, 1, 1), 1e3);
    assertEquals(12_308.8e6, AreaModel.wgs84CellArea(0, 0, 1, 1), 1e6);
    assertEquals(integratedCellArea(5, 59, 7, 62), AreaModel.wgs84CellArea(5, 59, 7, 62), 1e3);
    PixelToWorld t = PixelToWorld.fromGdal(new double[] {10, 1, 0, 1, 0, -1});
    List<VectorizedRegion> out =
        MaskVectorizer.vectorize(
            MaskBand.binary(0, 1, 1, new byte[] {1}, null),
            1,
            1,
            t,
            VectorizerOptions.builder().areaModel(AreaModel.geodesicWgs84()).build(),
            TestMasks.FACTORY);
    assertEquals(AreaModel.wgs84CellArea(10, 0, 11, 1), out.get(0).areaSquareMetres(), 1);
    assertEquals(integratedCellArea(10, 0, 11, 1), out.get(0).areaSquareMetres(), 1e3);
  }

  @Test
  void geodesicAreaOfARegionIsTheSumOfItsCells() {
    // A 3x2 block with a hole-free L shape at 60 degrees north, 0.5 degree pixels.
    PixelToWorld t = PixelToWorld.fromGdal(new double[] {20, 0.5, 0, 61, 0, -0.5});
    byte[] m = TestMasks.parse("##.", "###");
    List<VectorizedRegion> out =
        MaskVectorizer.vectorize(
            MaskBand.binary(0, 3, 2, m, null),
            3,
            2,
            t,
            VectorizerOptions.builder().areaModel(AreaModel.geodesicWgs84()).build(),
            TestMasks.FACTORY);
    double expected =
        2 * AreaModel.wgs84CellArea(20, 60.5, 20.5, 61)
            + 3 * AreaModel.wgs84CellArea(20, 60, 20.5, 60.5);
    assertEquals(expected, out.get(0).areaSquareMetres(), 1e-6 * expected);
    assertEquals(
        expected,
        AreaModel.geodesicWgs84().areaSquareMetres(out.get(0).geometry()),
        1e-6 * expected);
  }

  @Test
  void invalidArgumentsAreRejectedWithClearMessages() throws Exception {
    assertMessage(
        "threshold must be between 0 and 1 (exclusive), got 1.0",
        () -> VectorizerOptions.builder().threshold(1));
    assertMessage(
        "threshold must be between 0 and 1 (exclusive), got 0.0",
        () -> VectorizerOptions.builder().threshold(0));
    assertMessage(
        "minimum area must be a finite number >= 0 square metres, got -1.0",
        () -> VectorizerOptions.builder().minAreaSquareMetres(-1));
    assertMessage(
        "maximum number of features must be >= 1",
        () -> VectorizerOptions.builder().maxFeatures(0));
    assertMessage(
        "simplification tolerance must be a finite number >= 0",
        () -> VectorizerOptions.builder().simplifyTolerance(-0.1));
    assertMessage(
        "metres per CRS unit must be a positive finite number", () -> AreaModel.planar(0));
    assertMessage(
        "a GDAL geotransform has 6 values, got 4 values",
        () -> PixelToWorld.fromGdal(new double[4]));
    assertMessage("not invertible", () -> new PixelToWorld(0, 1, 1, 0, 1, 1));
    assertMessage(
        "mask array has 3 values, a band of 2 x 2 pixels needs 4",
        () -> MaskBand.binary(0, 2, 2, new byte[3], null));

    MaskVectorizer v =
        new MaskVectorizer(
            4,
            4,
            PixelToWorld.identity(),
            VectorizerOptions.defaults(),
            TestMasks.FACTORY,
            r -> {});
    assertMessage(
        "band width 3 does not match the raster width 4",
        () -> v.accept(MaskBand.binary(0, 3, 1, new byte[3], null)));
    assertMessage(
        "band starts at row 2 but the next expected row is 0",
        () -> v.accept(MaskBand.binary(2, 4, 1, new byte[4], null)));
    v.accept(MaskBand.binary(0, 4, 2, new byte[8], null));
    assertMessage(
        "band starts at row 1 but the next expected row is 2",
        () -> v.accept(MaskBand.binary(1, 4, 1, new byte[4], null)));
    assertMessage(
        "band rows 2..4 run past the raster height 4",
        () -> v.accept(MaskBand.binary(2, 4, 3, new byte[12], null)));
    assertMessage(
        "band is probabilities but earlier bands were binary",
        () -> v.accept(MaskBand.probabilities(2, 4, 1, new float[4], null)));
    IllegalStateException early = assertThrows(IllegalStateException.class, v::finish);
    assertTrue(early.getMessage().contains("only 2 of 4 rows were given"), early.getMessage());
    assertMessage(
        "region sink must not be null",
        () ->
            new MaskVectorizer(
                4,
                4,
                PixelToWorld.identity(),
                VectorizerOptions.defaults(),
                TestMasks.FACTORY,
                null));
  }

  @Test
  void buffersOnlyWhenAnOptionNeedsEveryRegion() {
    assertFalse(VectorizerOptions.defaults().needsAllRegions());
    assertFalse(
        VectorizerOptions.builder()
            .minAreaSquareMetres(5)
            .threshold(0.3)
            .build()
            .needsAllRegions());
    assertTrue(VectorizerOptions.builder().maxFeatures(3).build().needsAllRegions());
    assertTrue(VectorizerOptions.builder().simplifyTolerance(0.5).build().needsAllRegions());
    assertTrue(VectorizerOptions.builder().largestFirst(true).build().needsAllRegions());
  }

  private interface Action {
    void run() throws Exception;
  }

  private static void assertMessage(String expected, Action action) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
    assertTrue(e.getMessage().contains(expected), "message was: " + e.getMessage());
  }
}
