package org.diffris.vectorizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.io.WKTReader;
import org.locationtech.jts.operation.valid.IsValidOp;

/** Hand-made masks with known polygons, including every kind of corner pinch. */
class MaskVectorizerExamplesTest {

  private static List<VectorizedRegion> run(Connectivity conn, String... rows) {
    return TestMasks.vectorize(TestMasks.parse(rows), rows[0].length(), rows.length, conn);
  }

  private static Geometry wkt(String text) throws Exception {
    Geometry g = new WKTReader(TestMasks.FACTORY).read(text);
    g.normalize();
    return g;
  }

  private static void assertValid(List<VectorizedRegion> out) {
    for (VectorizedRegion r : out) {
      IsValidOp op = new IsValidOp(r.geometry());
      assertTrue(op.isValid(), () -> op.getValidationError() + " in " + r.geometry());
    }
  }

  @Test
  void singlePixelIsAUnitSquare() throws Exception {
    List<VectorizedRegion> out = run(Connectivity.FOUR, "...", ".#.", "...");
    assertEquals(1, out.size());
    assertTrue(out.get(0).geometry().equalsExact(wkt("POLYGON ((1 1, 2 1, 2 2, 1 2, 1 1))")));
    assertEquals(1, out.get(0).pixelCount());
  }

  @Test
  void emptyMaskGivesNoRegions() {
    assertTrue(run(Connectivity.FOUR, "...", "...").isEmpty());
  }

  @Test
  void fullRasterIsOneRectangleWithFourVertices() throws Exception {
    List<VectorizedRegion> out = run(Connectivity.EIGHT, "####", "####", "####");
    assertEquals(1, out.size());
    assertTrue(out.get(0).geometry().equalsExact(wkt("POLYGON ((0 0, 4 0, 4 3, 0 3, 0 0))")));
  }

  @Test
  void ringHasAHole() throws Exception {
    List<VectorizedRegion> out = run(Connectivity.FOUR, "###", "#.#", "###");
    assertEquals(1, out.size());
    assertTrue(
        out.get(0)
            .geometry()
            .equalsExact(wkt("POLYGON ((0 0, 3 0, 3 3, 0 3, 0 0), (1 1, 2 1, 2 2, 1 2, 1 1))")));
    assertEquals(8, out.get(0).pixelCount());
  }

  @Test
  void diagonalPixelsAreSeparateAtFourAndAMultiPolygonAtEight() throws Exception {
    List<VectorizedRegion> four = run(Connectivity.FOUR, "#.", ".#");
    assertEquals(2, four.size());
    assertValid(four);
    List<VectorizedRegion> eight = run(Connectivity.EIGHT, "#.", ".#");
    assertEquals(1, eight.size());
    assertTrue(eight.get(0).geometry() instanceof MultiPolygon);
    assertTrue(
        eight
            .get(0)
            .geometry()
            .equalsExact(
                wkt("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 1, 0 0)), ((1 1, 2 1, 2 2, 1 2, 1 1)))")));
    assertValid(eight);
  }

  @Test
  void closedMouthGivesAHoleTouchingTheShellAtOnePoint() throws Exception {
    // The hole (1,1) meets the outside (2,2) at corner (2,2): shell and hole touch there.
    List<VectorizedRegion> out = run(Connectivity.FOUR, "###", "#.#", "##.");
    assertEquals(1, out.size());
    Polygon p = (Polygon) out.get(0).geometry();
    assertEquals(1, p.getNumInteriorRing());
    assertTrue(
        p.equalsExact(
            wkt("POLYGON ((0 0, 3 0, 3 2, 2 2, 2 3, 0 3, 0 0)," + " (1 1, 2 1, 2 2, 1 2, 1 1))")));
    assertValid(out);
  }

  @Test
  void twoHolesTouchingAtACornerStayTwoHoles() {
    // spotless:off
    List<VectorizedRegion> out = run(Connectivity.FOUR,
        "####",
        "##.#",
        "#.##",
        "####");
    // spotless:on
    assertEquals(1, out.size());
    Polygon p = (Polygon) out.get(0).geometry();
    assertEquals(2, p.getNumInteriorRing());
    assertValid(out);
  }

  @Test
  void islandTouchingTheInsideOfAHoleAtACorner() {
    // spotless:off
    String[] rows = {
        "#####",
        "##..#",
        "#.#.#",
        "#...#",
        "#####"};
    // spotless:on
    List<VectorizedRegion> four = run(Connectivity.FOUR, rows);
    assertEquals(2, four.size());
    assertValid(four);
    List<VectorizedRegion> eight = run(Connectivity.EIGHT, rows);
    assertEquals(1, eight.size());
    assertTrue(eight.get(0).geometry() instanceof MultiPolygon);
    assertEquals(18, eight.get(0).pixelCount());
    assertValid(eight);
  }

  @Test
  void checkerboardAtEightIsOneValidMultiPolygon() {
    String[] rows = {"#.#.#", ".#.#.", "#.#.#", ".#.#."};
    List<VectorizedRegion> four = run(Connectivity.FOUR, rows);
    assertEquals(10, four.size());
    List<VectorizedRegion> eight = run(Connectivity.EIGHT, rows);
    assertEquals(1, eight.size());
    assertEquals(10, eight.get(0).geometry().getNumGeometries());
    assertValid(eight);
  }

  @Test
  void uShapeJoinedFarBelowIsOneRegion() {
    // The two arms meet only at the last row: labels merge late, rings must still be right.
    // spotless:off
    List<VectorizedRegion> out = run(Connectivity.FOUR,
        "#...#",
        "#.#.#",
        "#...#",
        "#####");
    // spotless:on
    assertEquals(2, out.size());
    assertEquals(11, out.get(0).pixelCount());
    assertEquals(0, ((Polygon) out.get(0).geometry()).getNumInteriorRing());
    assertValid(out);
  }

  @Test
  void orderIsLargestFirstThenFirstPixel() {
    // spotless:off
    List<VectorizedRegion> out = run(Connectivity.FOUR,
        "#.##.#",
        "......",
        "##..#.");
    // spotless:on
    long[] sizes = out.stream().mapToLong(VectorizedRegion::pixelCount).toArray();
    assertEquals(List.of(2L, 2L, 1L, 1L, 1L), java.util.Arrays.stream(sizes).boxed().toList());
    // Equal sizes: (2,0) comes before (0,2) in row-major order.
    assertEquals(2.0, out.get(0).geometry().getEnvelopeInternal().getMinX());
    assertEquals(0.0, out.get(1).geometry().getEnvelopeInternal().getMinX());
    assertEquals(5.0, out.get(3).geometry().getEnvelopeInternal().getMinX());
  }

  @Test
  void northUpTransformGivesValidWorldPolygons() {
    PixelToWorld t = PixelToWorld.fromGdal(new double[] {500000, 10, 0, 4000000, 0, -10});
    byte[] m = TestMasks.parse("##.", "#.#", ".##");
    List<VectorizedRegion> out =
        MaskVectorizer.vectorize(
            MaskBand.binary(0, 3, 3, m, null),
            3,
            3,
            t,
            VectorizerOptions.defaults(),
            TestMasks.FACTORY);
    assertEquals(2, out.size());
    for (VectorizedRegion r : out) {
      assertTrue(r.geometry().isValid());
      assertEquals(300.0, r.areaSquareMetres());
      assertEquals(300.0, r.geometry().getArea(), 1e-6);
      assertTrue(r.geometry().getEnvelopeInternal().getMaxY() <= 4000000);
    }
  }

  @Test
  void srisFromTheCallersFactory() {
    var factory =
        new org.locationtech.jts.geom.GeometryFactory(
            new org.locationtech.jts.geom.PrecisionModel(), 32633);
    List<VectorizedRegion> out =
        MaskVectorizer.vectorize(
            MaskBand.binary(0, 2, 1, new byte[] {1, 0}, null),
            2,
            1,
            PixelToWorld.identity(),
            VectorizerOptions.defaults(),
            factory);
    assertEquals(32633, out.get(0).geometry().getSRID());
  }
}
