package org.diffris.vectorizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.operation.valid.IsValidOp;

/** Coverage simplification keeps validity, disjoint interiors and the attributes. */
class SimplificationTest {

  @Provide
  Arbitrary<MaskCase> masks() {
    return MaskCase.arbitrary(24);
  }

  @Property(tries = 150)
  void simplifiedRegionsStayValidDisjointAndKeepAttributes(
      @ForAll("masks") MaskCase c, @ForAll @DoubleRange(min = 0.5, max = 4) double tolerance) {
    List<VectorizedRegion> exact = MaskVectorizerPropertiesTest.vectorize(c);
    List<VectorizedRegion> simple =
        MaskVectorizer.vectorize(
            MaskBand.binary(0, c.width(), c.height(), c.mask(), null),
            c.width(),
            c.height(),
            PixelToWorld.identity(),
            MaskVectorizerPropertiesTest.options(c).toBuilder()
                .simplifyTolerance(tolerance)
                .build(),
            TestMasks.FACTORY);
    assertEquals(exact.size(), simple.size());
    for (int i = 0; i < exact.size(); i++) {
      VectorizedRegion s = simple.get(i);
      IsValidOp op = new IsValidOp(s.geometry());
      assertTrue(op.isValid(), () -> op.getValidationError() + " in " + s.geometry());
      assertFalse(s.geometry().isEmpty());
      assertEquals(exact.get(i).pixelCount(), s.pixelCount());
      assertEquals(exact.get(i).areaSquareMetres(), s.areaSquareMetres());
      assertEquals(exact.get(i).pixelBounds(), s.pixelBounds());
      assertEquals(exact.get(i).geometry().getGeometryType(), s.geometry().getGeometryType());
    }
    for (int a = 0; a < simple.size(); a++) {
      for (int b = a + 1; b < simple.size(); b++) {
        Geometry ga = simple.get(a).geometry();
        Geometry gb = simple.get(b).geometry();
        assertFalse(ga.relate(gb, "2********"), "interiors overlap: " + ga + " / " + gb);
      }
    }
  }

  @Test
  void cornerTouchingStaircasesDoNotStartToOverlap() {
    // Two 4-connected staircases touching at corners all along the diagonal.
    // spotless:off
    byte[] m = TestMasks.parse(
        "##......",
        "###.....",
        "#..#....",
        "#...#...",
        "#....#..",
        "######..");
    // spotless:on
    List<VectorizedRegion> out =
        MaskVectorizer.vectorize(
            MaskBand.binary(0, 8, 6, m, null),
            8,
            6,
            PixelToWorld.identity(),
            VectorizerOptions.builder().simplifyTolerance(2).build(),
            TestMasks.FACTORY);
    assertTrue(out.size() >= 2);
    for (int a = 0; a < out.size(); a++) {
      assertTrue(out.get(a).geometry().isValid());
      for (int b = a + 1; b < out.size(); b++) {
        assertFalse(out.get(a).geometry().relate(out.get(b).geometry(), "2********"));
      }
    }
  }

  @Test
  void simplificationReducesVertices() {
    byte[] m = new byte[40 * 40];
    for (int r = 0; r < 40; r++) {
      for (int c = 0; c < 40; c++) {
        double dx = c - 19.5;
        double dy = r - 19.5;
        m[r * 40 + c] = (byte) (dx * dx + dy * dy < 15 * 15 ? 1 : 0);
      }
    }
    VectorizedRegion exact = TestMasks.vectorize(m, 40, 40, Connectivity.FOUR).get(0);
    VectorizedRegion simple =
        MaskVectorizer.vectorize(
                MaskBand.binary(0, 40, 40, m, null),
                40,
                40,
                PixelToWorld.identity(),
                VectorizerOptions.builder().simplifyTolerance(1).build(),
                TestMasks.FACTORY)
            .get(0);
    assertTrue(
        simple.geometry().getNumPoints() < exact.geometry().getNumPoints() * 0.7,
        simple.geometry().getNumPoints() + " vs " + exact.geometry().getNumPoints());
    assertEquals(exact.geometry().getArea(), simple.geometry().getArea(), 0.05 * 706);
  }
}
